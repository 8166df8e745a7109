-- depends_on: {{ ref('int_core__changed_transactions') }}
-- depends_on: {{ ref('int_core__reference_version') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_transactions(ref('int_core__changed_transactions')) }}",
    post_hook=[
        "{{ assert_unique_loaded_sale_lines(ref('int_core__changed_transactions')) }}",
        "{{ copy_file_versions() }}",
        "{{ complete_file_versions() }}",
        "{{ record_applied_erasures(ref('int_core__erased_shoppers')) }}",
        "{{ record_validated_reference(ref('int_core__reference_version')) }}",
    ],
) }}
-- Every sale record of ALPHA, BETA and GAMMA in one shared shape, with the reason of its one outcome
-- (docs/CONVENTIONS.md, first rule that applies): quarantined or excluded with a reason, or loaded (no reason).
-- Stored: the reason alone; the outcome follows from it (sales_record_outcome, macros/core/sales_sources.sql),
-- and is_promo from discount_eur (fct_sales_lines): a stored text column costs DuckDB a write per record at every
-- full build (~0.5-0.7 CPU-s per 11M records, even when constant). The reference data the records were validated
-- against is kept beside the table (record_validated_reference), not on every record.
-- Materialised once: fct_sales_lines (a view of the loaded records), dq_quarantine, dq_exclusions and
-- dq_reconciliation read this table.
-- Incremental: a run deletes and re-validates the transactions of int_core__changed_transactions (every
-- rule of the outcome compares records of one transaction only, or a record with the reference data).
-- Memory: one streaming pass over the staging tables. The cross-record rules (BETA versions, duplicate keys)
-- read narrow key-only inputs, and only the few records sharing a key are ranked; the CTEs read twice are
-- inlined (macros/core/inline_cte.sql), since a materialised copy of every record spilled >57 GB at 100M.
{%- set incremental_run = core_is_incremental_run() %}
{%- set order_version = order_version_key('source_file', 'row_order') %}

with

alpha_lines as {{ inline_cte() }} (
    select * from {{ ref('stg_alpha__receipt_lines') }}
    {{ changed_files_filter(ref('int_core__changed_transactions'), 'ALPHA') }}
),

beta_items as {{ inline_cte() }} (
    select * from {{ ref('stg_beta__order_items') }}
    {{ changed_files_filter(ref('int_core__changed_transactions'), 'BETA') }}
),

gamma_lines as {{ inline_cte() }} (
    select * from {{ ref('stg_gamma__transaction_lines') }}
    {{ changed_files_filter(ref('int_core__changed_transactions'), 'GAMMA') }}
),

sku_map as (
    select * from {{ ref('stg_gamma__sku_map') }}
),

stores as (
    select * from {{ ref('stg_stores__stores') }}
),

catalog_records as (
    select * from {{ ref('int_core__catalog_records') }}
),

erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

{% if incremental_run -%}
changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),
{%- endif %}

-- the retailer label is a constant of each staging model, added here rather than stored in staging (writing a
-- constant text column costs DuckDB about 0.1 us per row); the source name and the record reference are derived
-- from the retailer and the key where they are read (int_core__record_outcomes), not stored for every record
all_records as {{ inline_cte() }} (
    select
        source_file,
        source_file_version,
        row_order,
        false as is_malformed_json,
        'ALPHA' as retailer,
        store_code,
        transaction_id,
        line_number,
        line_number_as_delivered,
        shopper_key,
        cast(null as {{ dbt.type_string() }}) as order_status,
        cast(null as {{ dbt.type_string() }}) as sku,
        gtin,
        is_valid_gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        campaign_id,
        has_missing_field,
        has_invalid_timestamp,
        has_invalid_quantity,
        has_invalid_amount
    from alpha_lines

    union all

    select
        source_file,
        source_file_version,
        row_order,
        is_malformed_json,
        'BETA' as retailer,
        store_code,
        transaction_id,
        line_number,
        cast(null as {{ dbt.type_string() }}) as line_number_as_delivered,
        shopper_key,
        order_status,
        cast(null as {{ dbt.type_string() }}) as sku,
        gtin,
        is_valid_gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        campaign_id,
        has_missing_field,
        has_invalid_timestamp,
        has_invalid_quantity,
        has_invalid_amount
    from beta_items

    union all

    select
        source_file,
        source_file_version,
        row_order,
        false as is_malformed_json,
        'GAMMA' as retailer,
        store_code,
        transaction_id,
        line_number,
        cast(null as {{ dbt.type_string() }}) as line_number_as_delivered,
        shopper_key,
        cast(null as {{ dbt.type_string() }}) as order_status,
        sku,
        cast(null as {{ dbt.type_string() }}) as gtin,
        false as is_valid_gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        campaign_id,
        has_missing_field,
        has_invalid_timestamp,
        has_invalid_quantity,
        has_invalid_amount
    from gamma_lines
),

-- the records to validate: all of them, or in an incremental run those of the changed transactions.
-- Read three times (validation, BETA versions, duplicate keys). In a full build each read takes only the columns
-- it needs (inlined rather than held as a wide in-memory copy); in an incremental run the few changed records are
-- copied once rather than filtered out of every staged record three times.
unioned as {{ inline_cte_unless_incremental() }} (
    select *
    from all_records
    {% if incremental_run %}
        where {{ changed_transactions_condition('changed_transactions') }}
    {% endif %}
),

-- BETA: every version of an order but the latest (file name order, then line order) is superseded;
-- only orders delivered more than once are ranked (an aggregate, not a window over every record)
order_versions as (
    select
        transaction_id,
        max({{ order_version }}) as latest_version
    from unioned
    where retailer = 'BETA' and not is_malformed_json and transaction_id is not null
    group by transaction_id
    -- two versions or more; min < max rather than a distinct count, which DuckDB computes over a copy of the
    -- records (100M lines: 7 -> 4 s)
    having min({{ order_version }}) < max({{ order_version }})
),

-- hashes of the keys held by more than one record (few): only their records can be duplicates, so only they
-- are ranked, by their exact key (a record sharing only the hash of a key ranks first). An 8-byte hash rather
-- than the text key, and on DuckDB sorted rather than grouped (macros/core/combination_hash.sql): grouping the
-- ~11M hashes of the 10M bench was the largest operator of this model
duplicate_candidate_keys as (
    select distinct combination_hash as record_key_hash
    from (
        {{ repeated_combination_hashes(
            '(select retailer, transaction_id, line_number from unioned'
            ~ ' where transaction_id is not null and line_number is not null) as keyed_records',
            ['retailer', 'transaction_id', 'line_number'],
        ) }}
    ) as repeated_hashes
),

-- one GTIN per GAMMA SKU: the later row of sku_map.csv wins
sku_gtins as (
    select
        sku,
        gtin,
        is_valid_gtin
    from (
        select
            *,
            row_number() over (partition by sku order by row_order desc) as sku_rank
        from sku_map
        where sku is not null
    ) as ranked_skus
    where sku_rank = 1
),

known_stores as (
    select distinct store_code
    from stores
    where store_code is not null
),

known_products as (
    select gtin
    from catalog_records
    where outcome = 'loaded'
),

looked_up as {{ inline_cte() }} (
    select
        unioned.source_file,
        unioned.source_file_version,
        unioned.row_order,
        unioned.is_malformed_json,
        unioned.retailer,
        unioned.store_code,
        unioned.transaction_id,
        unioned.line_number,
        unioned.line_number_as_delivered,
        unioned.shopper_key,
        unioned.order_status,
        unioned.business_date,
        unioned.sold_at_utc,
        unioned.units,
        unioned.net_amount_eur,
        unioned.discount_eur,
        unioned.campaign_id,
        unioned.has_missing_field,
        unioned.has_invalid_timestamp,
        unioned.has_invalid_quantity,
        unioned.has_invalid_amount,
        coalesce(unioned.gtin, sku_gtins.gtin) as gtin,
        coalesce(unioned.is_valid_gtin or sku_gtins.is_valid_gtin, false) as is_valid_gtin,
        unioned.sku is null or sku_gtins.sku is not null as is_known_sku,
        known_stores.store_code is not null as is_known_store,
        known_products.gtin is not null as is_known_product,
        erased_shoppers.shopper_key is not null as is_erased_shopper,
        duplicate_candidate_keys.record_key_hash is not null as is_duplicate_candidate
    from unioned
    left join sku_gtins
        on unioned.sku = sku_gtins.sku
    left join known_stores
        on unioned.store_code = known_stores.store_code
    left join known_products
        on coalesce(unioned.gtin, sku_gtins.gtin) = known_products.gtin
    left join erased_shoppers
        on unioned.shopper_key = erased_shoppers.shopper_key
    left join duplicate_candidate_keys
        on
            {{ combination_hash(['unioned.retailer', 'unioned.transaction_id', 'unioned.line_number']) }}
            = duplicate_candidate_keys.record_key_hash
            and unioned.transaction_id is not null
            and unioned.line_number is not null
),

-- read twice (records without and with a duplicate candidate key): inlined, see unioned
validated as {{ inline_cte() }} (
    select
        looked_up.*,
        case
            when looked_up.is_malformed_json then 'malformed_json'
            when {{ order_version_key('looked_up.source_file', 'looked_up.row_order') }} < order_versions.latest_version
                then 'superseded_version'
            when looked_up.has_missing_field then 'missing_field'
            when looked_up.has_invalid_timestamp then 'invalid_timestamp'
            when looked_up.has_invalid_quantity then 'invalid_quantity'
            when looked_up.has_invalid_amount then 'invalid_amount'
            when looked_up.is_known_sku and not looked_up.is_valid_gtin then 'invalid_gtin'
            when not looked_up.is_known_sku then 'unknown_sku'
            when not looked_up.is_known_store then 'unknown_store'
            when not looked_up.is_known_product then 'unknown_product'
        end as validation_reason
    from looked_up
    left join order_versions
        on
            looked_up.retailer = 'BETA'
            and looked_up.transaction_id = order_versions.transaction_id
            and not looked_up.is_malformed_json
),

deduplicated as (
    select
        *,
        1 as duplicate_rank
    from validated
    where not is_duplicate_candidate

    union all

    -- a valid record whose key other valid records share: first in (source_file, file order); ALPHA CSV rows
    -- are read in parallel without a row number, so rows of one file sharing a key are ordered by their
    -- content (deterministic)
    select
        *,
        case
            when
                validation_reason is null
                and sum(case when validation_reason is null then 1 else 0 end) over (
                    partition by retailer, transaction_id, line_number
                ) > 1
                then row_number() over (
                    partition by retailer, transaction_id, line_number, validation_reason is null
                    order by
                        source_file, row_order, sold_at_utc, store_code, gtin, units, net_amount_eur,
                        discount_eur, shopper_key, campaign_id
                )
            else 1
        end as duplicate_rank
    from validated
    where is_duplicate_candidate
),

final as (
    select
        source_file,
        source_file_version,
        row_order,
        retailer,
        store_code,
        transaction_id,
        line_number,
        line_number_as_delivered,
        shopper_key,
        gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        campaign_id,
        case
            when validation_reason is not null then validation_reason
            when duplicate_rank > 1 then 'duplicate_record'
            when retailer = 'BETA' and coalesce(order_status, '') <> 'delivered' then 'order_not_delivered'
            when is_erased_shopper then 'erased_shopper'
        end as reason
    from deduplicated
)

select * from final
