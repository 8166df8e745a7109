-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_business_dates(ref('int_core__changed_transactions')) }}",
    post_hook="{{ assert_unique_day_rows(
        ['shopper_key', 'retailer', 'store_code', 'business_date'], ref('int_core__changed_transactions')
    ) }}",
) }}
-- One row per identified shopper x store x business date: the day sums that dim_shoppers, kpi_shopper_rfm and
-- int_shopper_features add up (10M lines: 1.1M rows, a tenth of the lines). A table of its own so that the daily
-- run reads the lines of the changed business dates only (macros/features/feature_incremental.sql), and the
-- shopper-level models read day rows rather than every line of history again.

with

-- read twice (the category prices, the shoppers' lines): re-scanned, not copied (macros/core/inline_cte.sql;
-- a copy of every line cost 60 s of CPU at 100M lines)
sales_lines as {{ inline_cte_unless_incremental() }} (
    select * from {{ ref('fct_sales_lines') }}
    {{ changed_business_dates_filter(ref('int_core__changed_transactions')) }}
),

products as (
    select * from {{ ref('dim_products') }}
),

priced_lines as {{ inline_cte_unless_incremental() }} (
    select
        sales_lines.shopper_key,
        sales_lines.retailer,
        sales_lines.store_code,
        sales_lines.transaction_id,
        sales_lines.business_date,
        sales_lines.units,
        sales_lines.net_amount_eur,
        sales_lines.is_promo,
        sales_lines.campaign_id,
        products.category_l3,
        case
            when sales_lines.units > 0 then cast(sales_lines.net_amount_eur as double) / sales_lines.units
        end as unit_price_eur
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
),

-- reference price of a category_l3 on a business date (all shoppers), so the index uses no later data
category_day_prices as (
    select
        category_l3,
        business_date,
        avg(unit_price_eur) as category_unit_price_eur
    from priced_lines
    where unit_price_eur > 0
    group by category_l3, business_date
),

shopper_lines as (
    select
        priced_lines.*,
        priced_lines.unit_price_eur / category_day_prices.category_unit_price_eur as price_ratio
    from priced_lines
    left join category_day_prices
        on
            priced_lines.category_l3 = category_day_prices.category_l3
            and priced_lines.business_date = category_day_prices.business_date
    where priced_lines.shopper_key is not null
),

-- one row per transaction, so that the baskets of a day are counted rather than counted distinct (DuckDB
-- computes a distinct count as a group-by of its own, joined back to the sums: twice the work at 100M lines)
shopper_transactions as (
    select
        shopper_key,
        retailer,
        store_code,
        business_date,
        transaction_id,
        count(*) as sale_lines,
        sum(case when units < 0 then 1 else 0 end) as return_lines,
        {{ kpi_has_sold_line() }} as has_sold_line,
        sum(units) as units,
        sum(net_amount_eur) as spend_eur,
        sum(case when is_promo then net_amount_eur else 0 end) as promo_spend_eur,
        sum(case when campaign_id is not null then 1 else 0 end) as offer_lines,
        sum(price_ratio) as price_ratio_sum,
        sum(case when price_ratio is not null then 1 else 0 end) as priced_lines
    from shopper_lines
    group by shopper_key, retailer, store_code, business_date, transaction_id
),

final as (
    select
        shopper_key,
        retailer,
        store_code,
        business_date,
        count(transaction_id) as baskets,
        {{ kpi_baskets() }} as sold_baskets,
        sum(sale_lines) as sale_lines,
        sum(return_lines) as return_lines,
        sum(units) as units,
        sum(spend_eur) as spend_eur,
        sum(promo_spend_eur) as promo_spend_eur,
        sum(offer_lines) as offer_lines,
        sum(price_ratio_sum) as price_ratio_sum,
        sum(priced_lines) as priced_lines
    from shopper_transactions
    group by shopper_key, retailer, store_code, business_date
)

select * from final
