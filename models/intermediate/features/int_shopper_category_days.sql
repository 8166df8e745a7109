-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_business_dates(ref('int_core__changed_transactions')) }}",
) }}
-- One row per identified shopper x category_l2 x business date on which the shopper bought in the category
-- (10M lines: 4.4M rows): what int_shopper_features counts its categories from. Incremental by business date
-- like int_shopper_store_days (macros/features/feature_incremental.sql).

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
    {{ changed_business_dates_filter(ref('int_core__changed_transactions')) }}
),

products as (
    select * from {{ ref('dim_products') }}
),

final as (
    select distinct
        sales_lines.shopper_key,
        sales_lines.retailer,
        products.category_l2,
        sales_lines.business_date
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    where
        sales_lines.shopper_key is not null
        and products.category_l2 is not null
)

select * from final
