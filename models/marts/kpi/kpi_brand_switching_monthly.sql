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

products as (
    select * from {{ ref('dim_products') }}
),

bought_lines as (
    select
        sales_lines.retailer,
        sales_lines.shopper_key,
        sales_lines.net_amount_eur,
        products.brand,
        products.category_l1,
        products.category_l2,
        products.category_l3,
        {{ kpi_month_start('sales_lines.business_date') }} as period_start
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    where
        sales_lines.units > 0
        and sales_lines.shopper_key is not null
),

shopper_brand_periods as (
    select
        retailer,
        shopper_key,
        category_l1,
        category_l2,
        category_l3,
        brand,
        period_start,
        {{ kpi_sales_eur() }} as sales_eur
    from bought_lines
    group by retailer, shopper_key, category_l1, category_l2, category_l3, brand, period_start
),

ranked_brands as (
    select
        retailer,
        shopper_key,
        category_l1,
        category_l2,
        category_l3,
        brand,
        period_start,
        row_number() over (
            partition by retailer, shopper_key, category_l1, category_l2, category_l3, period_start
            order by sales_eur desc, brand asc
        ) as brand_rank
    from shopper_brand_periods
),

main_brands as (
    select
        retailer,
        shopper_key,
        category_l1,
        category_l2,
        category_l3,
        brand,
        period_start
    from ranked_brands
    where brand_rank = 1
),

moves as (
    select
        current_period.retailer,
        current_period.category_l1,
        current_period.category_l2,
        current_period.category_l3,
        current_period.period_start,
        previous_period.brand as from_brand,
        current_period.brand as to_brand
    from main_brands as current_period
    inner join main_brands as previous_period
        on
            current_period.retailer = previous_period.retailer
            and current_period.shopper_key = previous_period.shopper_key
            and current_period.category_l1 = previous_period.category_l1
            and current_period.category_l2 = previous_period.category_l2
            and current_period.category_l3 = previous_period.category_l3
            and previous_period.period_start = {{ kpi_add_months('current_period.period_start', -1) }}
    {% if core_is_incremental_run() -%}
        -- the first month read has no month before it here: its moves are not rewritten
        where current_period.period_start in (
            {{ kpi_changed_periods(ref('int_kpi__changed_months'), 'month', [0, 1]) }}
        )
    {%- endif %}
),

final as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        period_start,
        from_brand,
        to_brand,
        from_brand <> to_brand as is_switch,
        count(*) as shoppers
    from moves
    group by retailer, category_l1, category_l2, category_l3, period_start, from_brand, to_brand
)

select * from final
