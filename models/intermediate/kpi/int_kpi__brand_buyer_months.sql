-- depends_on: {{ ref('int_kpi__changed_months') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_periods(ref('int_kpi__changed_months'), 'month', 'period_start') }}",
) }}
-- One row per buyer of a brand at a retailer and calendar month: the shopper history of
-- kpi_brand_buyer_dynamics_monthly, a fifth of the sale lines. Kept as an incremental table because a buyer's
-- status needs every earlier month: without it each run re-read all of history (90 s of the 100M incremental
-- day). Incremental on DuckDB: a run deletes and recomputes the months of int_kpi__changed_months only.
with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
    {{ kpi_changed_periods_filter(ref('int_kpi__changed_months'), 'month') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

bought_lines as (
    -- a buyer holds a basket with a line of the brand with units > 0 (a return is no purchase)
    select
        sales_lines.retailer,
        products.brand,
        sales_lines.shopper_key,
        sales_lines.is_promo,
        {{ kpi_month_start('sales_lines.business_date') }} as period_start
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    where
        sales_lines.units > 0
        and sales_lines.shopper_key is not null
),

final as (
    select
        retailer,
        brand,
        shopper_key,
        period_start,
        min(case when is_promo then 1 else 0 end) as is_promo_only
    from bought_lines
    group by retailer, brand, shopper_key, period_start
)

select * from final
