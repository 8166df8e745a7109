-- depends_on: {{ ref('int_core__erased_shoppers') }}
-- depends_on: {{ ref('int_core__reference_version') }}
{{ config(materialized='table') }}
-- The transactions an incremental run must re-validate (macros/landing/incremental.sql): those with a
-- record in a raw file new or re-delivered since the previous run, or in a file version that left the
-- landing zone; those whose erased-shopper outcome flips; every transaction when the reference data changed.
-- Records without a transaction id are grouped by file (transaction_id null, source_file set). shopper_key:
-- the shoppers of these records, before and after the change (dim_shoppers recomputes them); business_date:
-- their dates, before and after the change (the weekly KPI marts recompute those weeks).
-- Empty when int_core__sales_records is built from scratch (full refresh or first run).
{%- set previous = previous_state_relation('int_core__sales_records') %}
{#- The two large inputs (every staged record, every previous record) are read by several steps: as shared
    CTEs DuckDB would buffer them whole (about 8 s each at 10M lines); scanned directly, each step reads only
    the columns it needs. -#}
{%- set staged_selects = [] %}
{%- for staging_model in ['stg_alpha__receipt_lines', 'stg_beta__order_items', 'stg_gamma__transaction_lines'] %}
    {%- do staged_selects.append(
        'select retailer, transaction_id, source_file, source_file_version, shopper_key, business_date from ' ~ ref(staging_model)
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

    touched_records as (
        select * from touched
    ),
{% else %}
erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

reference as (
    select * from {{ ref('int_core__reference_version') }}
),

staged_files as (
    select distinct
        source_file,
        source_file_version
    from {{ staged }} as staged
),

previous_files as (
    select distinct
        source_file,
        source_file_version
    from {{ previous }} as previous_records
),

new_files as (
    select
        source_file,
        source_file_version
    from staged_files
    where (source_file, source_file_version) not in (
        select source_file, source_file_version from previous_files
    )
),

gone_files as (
    select
        source_file,
        source_file_version
    from previous_files
    where (source_file, source_file_version) not in (
        select source_file, source_file_version from staged_files
    )
),

reference_changes as (
    select count(*) as n_stale_records
    from {{ previous }} as previous_records
    cross join reference
    where previous_records.reference_version <> reference.reference_version
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

    -- erasure requests added (a loaded line becomes erased_shopper) or withdrawn (the reverse)
    select
        previous_records.retailer,
        previous_records.transaction_id,
        previous_records.source_file,
        previous_records.shopper_key,
        previous_records.business_date
    from {{ previous }} as previous_records
    left join erased_shoppers
        on previous_records.shopper_key = erased_shoppers.shopper_key
    where
        previous_records.shopper_key is not null
        and (
            (previous_records.outcome = 'loaded' and erased_shoppers.shopper_key is not null)
            or (previous_records.reason = 'erased_shopper' and erased_shoppers.shopper_key is null)
        )

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

touched_transactions as (
    select distinct
        retailer,
        transaction_id
    from touched
    where transaction_id is not null
),

-- plus the shoppers of the other records of these transactions (files unchanged)
touched_records as (
    select * from touched

    union all

    select
        previous_records.retailer,
        previous_records.transaction_id,
        previous_records.source_file,
        previous_records.shopper_key,
        previous_records.business_date
    from {{ previous }} as previous_records
    inner join touched_transactions
        on
            previous_records.retailer = touched_transactions.retailer
            and previous_records.transaction_id = touched_transactions.transaction_id
),

{%- endif %}

final as (
    select distinct
        retailer,
        transaction_id,
        case when transaction_id is null then source_file end as source_file,
        shopper_key,
        business_date
    from touched_records
)

select * from final
