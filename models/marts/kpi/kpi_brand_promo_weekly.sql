-- depends_on: {{ ref('int_kpi__changed_weeks') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_periods(ref('int_kpi__changed_weeks'), 'week', 'week_start') }}",
) }}
-- Incremental on DuckDB: a run deletes and recomputes the weeks of int_kpi__changed_weeks only.
with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
    {{ kpi_changed_periods_filter(ref('int_kpi__changed_weeks'), 'week') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

brand_lines as (
    select
        sales_lines.retailer,
        products.brand,
        sales_lines.units,
        sales_lines.net_amount_eur,
        sales_lines.discount_eur,
        sales_lines.is_promo,
        sales_lines.campaign_id,
        {{ kpi_week_start('sales_lines.business_date') }} as week_start
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
),

brand_weeks as (
    select
        retailer,
        brand,
        week_start,
        {{ kpi_sales_eur() }} as sales_eur,
        {{ kpi_units() }} as units,
        {{ kpi_promo_sales_eur() }} as promo_sales_eur,
        {{ kpi_promo_units() }} as promo_units,
        {{ kpi_campaign_sales_eur() }} as campaign_sales_eur,
        {{ kpi_sold_discount_eur() }} as sold_discount_eur,
        {{ kpi_sold_gross_eur() }} as sold_gross_eur
    from brand_lines
    group by retailer, brand, week_start
),

final as (
    select
        retailer,
        brand,
        {{ kpi_iso_year('week_start') }} as iso_year,
        {{ kpi_iso_week('week_start') }} as iso_week,
        week_start,
        sales_eur,
        units,
        promo_sales_eur,
        {{ kpi_share('promo_sales_eur', 'sales_eur') }} as promo_sales_share,
        promo_units,
        {{ kpi_share('promo_units', 'units') }} as promo_units_share,
        sold_discount_eur,
        sold_gross_eur,
        {{ kpi_discount_depth('sold_discount_eur', 'sold_gross_eur') }} as discount_depth,
        campaign_sales_eur,
        {{ kpi_share('campaign_sales_eur', 'sales_eur') }} as campaign_sales_share
    from brand_weeks
)

select * from final
