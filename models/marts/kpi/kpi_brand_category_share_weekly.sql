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

brand_category_lines as (
    select
        sales_lines.retailer,
        products.category_l1,
        products.category_l2,
        products.category_l3,
        products.brand,
        sales_lines.units,
        sales_lines.net_amount_eur,
        {{ kpi_week_start('sales_lines.business_date') }} as week_start
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
),

brand_category_weeks as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        brand,
        week_start,
        {{ kpi_sales_eur() }} as brand_sales_eur,
        {{ kpi_units() }} as brand_units
    from brand_category_lines
    group by retailer, category_l1, category_l2, category_l3, brand, week_start
),

with_category_totals as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        brand,
        week_start,
        brand_sales_eur,
        brand_units,
        sum(brand_sales_eur) over (
            partition by retailer, category_l1, category_l2, category_l3, week_start
        ) as category_sales_eur,
        cast(sum(brand_units) over (
            partition by retailer, category_l1, category_l2, category_l3, week_start
        ) as {{ dbt.type_bigint() }}) as category_units
    from brand_category_weeks
),

final as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        brand,
        {{ kpi_iso_year('week_start') }} as iso_year,
        {{ kpi_iso_week('week_start') }} as iso_week,
        week_start,
        brand_sales_eur,
        category_sales_eur,
        {{ kpi_share('brand_sales_eur', 'category_sales_eur') }} as value_share,
        brand_units,
        category_units,
        {{ kpi_share('brand_units', 'category_units') }} as volume_share
    from with_category_totals
)

select * from final
