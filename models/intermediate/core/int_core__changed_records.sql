-- depends_on: {{ ref('int_core__erased_shoppers') }}
-- depends_on: {{ ref('int_core__reference_version') }}
{{ config(materialized='table') }}
-- The records that make an incremental run re-validate their transactions (macros/landing/incremental.sql):
-- the records of raw files new or re-delivered since the previous run, those of file versions that left the
-- landing zone, those whose erased-shopper outcome flips, and every record when the reference data changed.
-- int_core__changed_transactions adds the other records of their transactions. A table of its own, not a
-- CTE there: DuckDB then knows how few rows it holds and joins it to the previous records (every line of
-- history) from the small side; as a CTE its estimate was millions, and the join hashed all of history
-- (60 s of the 100M incremental day).
-- Empty when int_core__sales_records is built from scratch (full refresh or first run).
{%- set previous = previous_state_relation('int_core__sales_records') %}
{#- the shoppers whose erasure request was added or withdrawn since the previous run
    (macros/core/applied_erasures.sql) -#}
{%- set erasures = erasure_changes(previous, ref('int_core__erased_shoppers')) %}
{#- the reference data the previous records were validated against (macros/core/validated_reference.sql) -#}
{%- set validated_reference = previous_validated_reference(previous) %}
{#- The two large inputs (every staged record, every previous record) are read by several steps: as shared
    CTEs DuckDB would buffer them whole (about 8 s each at 10M lines); scanned directly, each step reads only
    the columns it needs. -#}
{%- set staged_selects = [] %}
{%- for sale_source in sales_sources() %}
    {%- do staged_selects.append(
        "select '" ~ sale_source.retailer ~ "' as retailer, transaction_id, source_file, source_file_version, "
        ~ 'shopper_key, business_date from ' ~ ref(sale_source.staging_model)
    ) %}
{%- endfor %}
{%- set staged = '(' ~ staged_selects | join(' union all ') ~ ')' %}

with

{% if previous is none %}
    touched as (
        select
            retailer,
            transaction_id,
            source_file,
            shopper_key,
            business_date
        from {{ staged }} as staged
        where 1 = 0
    ),

{% else %}
    erased_shoppers as (
        select * from {{ ref('int_core__erased_shoppers') }}
    ),

    reference as (
        select * from {{ ref('int_core__reference_version') }}
    ),

    -- the file versions of each table, from its file-versions list when complete (macros/landing/file_versions.sql)
    staged_files as (
        {%- for sale_source in sales_sources() %}
            {{ held_file_versions_query(ref(sale_source.staging_model)) }}
            {{ 'union all' if not loop.last }}
        {%- endfor %}
    ),

    previous_files as (
        {{ held_file_versions_query(previous) }}
    ),

    new_files as (
        select
            source_file,
            source_file_version
        from staged_files
        where (source_file, source_file_version) not in (
            select
                source_file,
                source_file_version
            from previous_files
        )
    ),

    gone_files as (
        select
            source_file,
            source_file_version
        from previous_files
        where (source_file, source_file_version) not in (
            select
                source_file,
                source_file_version
            from staged_files
        )
    ),

    reference_changes as (
        {%- if validated_reference is none %}
            -- unknown (the table beside the records is gone): every record is re-validated
            select 1 as n_stale_records
        {%- else %}
            select count(*) as n_stale_records
            from reference
            where reference_version not in (
                select validated.reference_version
                from {{ validated_reference }} as validated
            )
        {%- endif %}
    ),

    touched as (
        -- records of new or re-delivered files
        select
            staged.retailer,
            staged.transaction_id,
            staged.source_file,
            staged.shopper_key,
            staged.business_date
        from {{ staged }} as staged
        inner join new_files
            on
                staged.source_file = new_files.source_file
                and staged.source_file_version = new_files.source_file_version

        union all

        -- records of file versions replaced or gone
        select
            previous_records.retailer,
            previous_records.transaction_id,
            previous_records.source_file,
            previous_records.shopper_key,
            previous_records.business_date
        from {{ previous }} as previous_records
        inner join gone_files
            on
                previous_records.source_file = gone_files.source_file
                and previous_records.source_file_version = gone_files.source_file_version

        union all

        -- erasure requests added: a loaded line becomes erased_shopper. Filters of the previous records rather than
        -- a join of them all with the erased shoppers: DuckDB then reads the other columns only for the few records
        -- that pass; on DuckDB only the shoppers whose request changed since the previous run are looked up (none
        -- on most days: the records are then not read)
        select
            retailer,
            transaction_id,
            source_file,
            shopper_key,
            business_date
        from {{ previous }} as previous_records
        where
            {{ is_loaded_sales_record() }}
            and {{ erasure_change_condition(
                none if erasures is none else erasures.added,
                'shopper_key in (select shopper_key from erased_shoppers)',
            ) }}

        union all

        -- erasure requests withdrawn: an erased_shopper line is validated again
        select
            retailer,
            transaction_id,
            source_file,
            shopper_key,
            business_date
        from {{ previous }} as previous_records
        where
            reason = 'erased_shopper'
            and {{ erasure_change_condition(
                none if erasures is none else erasures.withdrawn,
                'shopper_key not in (select shopper_key from erased_shoppers)',
            ) }}

        union all

        -- reference data changed: every record is re-validated
        select
            staged.retailer,
            staged.transaction_id,
            staged.source_file,
            staged.shopper_key,
            staged.business_date
        from {{ staged }} as staged
        cross join reference_changes
        where reference_changes.n_stale_records > 0
    ),
{%- endif %}

final as (
    select
        retailer,
        transaction_id,
        source_file,
        shopper_key,
        business_date
    from touched
)

select * from final
