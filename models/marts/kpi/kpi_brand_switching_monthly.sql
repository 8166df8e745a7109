{#- Brand switching within a category between consecutive calendar months.
    Each shopper's main brand of a category in a month is the brand with the
    highest sales over their lines with units > 0 (ties: first brand name).
    A shopper buying the category in both months moves from_brand -> to_brand.
    Incremental on DuckDB: a change in month c rewrites the rows of months c and c + 1 (read from the lines
    of c - 1 to c + 1); the other months' rows stay as they are. -#}
-- depends_on: {{ ref('int_kpi__changed_months') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_periods(ref('int_kpi__changed_months'), 'month', 'period_start', [0, 1]) }}",
) }}

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
    {{ kpi_changed_periods_filter(ref('int_kpi__changed_months'), 'month', [-1, 0, 1]) }}
),

product_keys as (
    select * from {{ ref('int_kpi__product_keys') }}
),

brands as (
    select distinct
        brand_key,
        brand
    from product_keys
),

categories as (
    select distinct
        category_key,
        category_l1,
        category_l2,
        category_l3
    from product_keys
),

-- brands and categories are their integer keys (int_kpi__product_keys) until final; brand_key orders as the
-- brand does. A line without the three category levels never makes a move (no category to compare), so it
-- is left out here.
bought_lines as (
    select
        sales_lines.retailer,
        sales_lines.shopper_key,
        sales_lines.net_amount_eur,
        product_keys.brand_key,
        product_keys.category_key,
        {{ kpi_month_start('sales_lines.business_date') }} as period_start
    from sales_lines
    inner join product_keys
        on sales_lines.gtin = product_keys.gtin
    where
        sales_lines.units > 0
        and sales_lines.shopper_key is not null
        and product_keys.has_full_category
),

shopper_brand_periods as (
    select
        retailer,
        shopper_key,
        category_key,
        brand_key,
        period_start,
        {{ kpi_sales_eur() }} as sales_eur
    from bought_lines
    group by retailer, shopper_key, category_key, brand_key, period_start
),

-- each shopper's main brand of a category in a period: the most sales, then the first brand key
main_brands as (
    select
        retailer,
        shopper_key,
        category_key,
        period_start,
        {{ first_by_order('brand_key', ['-sales_eur', 'brand_key']) }} as brand_key
    from shopper_brand_periods
    group by retailer, shopper_key, category_key, period_start
),

moves as (
    select
        current_period.retailer,
        current_period.category_key,
        current_period.period_start,
        previous_period.brand_key as from_brand_key,
        current_period.brand_key as to_brand_key
    from main_brands as current_period
    inner join main_brands as previous_period
        on
            current_period.retailer = previous_period.retailer
            and current_period.shopper_key = previous_period.shopper_key
            and current_period.category_key = previous_period.category_key
            and previous_period.period_start = {{ kpi_add_months('current_period.period_start', -1) }}
    {% if core_is_incremental_run() -%}
        -- the first month read has no month before it here: its moves are not rewritten
        where current_period.period_start in (
            {{ kpi_changed_periods(ref('int_kpi__changed_months'), 'month', [0, 1]) }}
        )
    {%- endif %}
),

move_counts as (
    select
        retailer,
        category_key,
        period_start,
        from_brand_key,
        to_brand_key,
        count(*) as shoppers
    from moves
    group by retailer, category_key, period_start, from_brand_key, to_brand_key
),

final as (
    select
        move_counts.retailer,
        categories.category_l1,
        categories.category_l2,
        categories.category_l3,
        move_counts.period_start,
        from_brands.brand as from_brand,
        to_brands.brand as to_brand,
        from_brands.brand <> to_brands.brand as is_switch,
        move_counts.shoppers
    from move_counts
    inner join categories
        on move_counts.category_key = categories.category_key
    inner join brands as from_brands
        on move_counts.from_brand_key = from_brands.brand_key
    inner join brands as to_brands
        on move_counts.to_brand_key = to_brands.brand_key
)

select * from final
