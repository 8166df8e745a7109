-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_transactions(ref('int_core__changed_transactions')) }}",
) }}
-- One row per valid sale line of every retailer (PUBLISHED.md, shared schema).
-- Incremental like int_core__sales_records: the changed transactions are deleted and re-inserted.
{%- set incremental_run = core_is_incremental_run() %}

with

sales_records as (
    select * from {{ ref('int_core__sales_records') }}
),

{% if incremental_run -%}
changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),
{%- endif %}

final as (
    select
        retailer,
        store_code,
        transaction_id,
        line_number,
        shopper_key,
        gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        is_promo,
        campaign_id,
        source_file
    from sales_records
    where
        outcome = 'loaded'
    {% if incremental_run %}
        and (retailer, transaction_id) in (
            select retailer, transaction_id
            from changed_transactions
            where transaction_id is not null
        )
        {% endif %}
)

select * from final
