-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_brand_as_of_dates(
        ref('int_feature_as_of_dates'), ref('dim_campaigns'), ref('int_core__changed_transactions')
    ) }}",
) }}
-- One row per shopper x scored brand x as-of date (training grid and scoring
-- date), for shoppers who bought the brand or one of its categories (the
-- category_l2 values of the brand's products) in the 365 days before the as-of date.
-- Scored brands: the brands of planned campaigns plus the dbt var `score_brands`.
-- Brand status (56-day recent window): loyal = 3+ brand purchase lines recently,
-- active = 1-2, lapsed = none recently but some earlier, category_buyer = none of the brand
-- but some of its categories; shoppers absent from this table are `never` (no row).
-- Incremental on DuckDB (macros/features/feature_incremental.sql): a run computes only the (as-of date, brand) pairs
-- it does not hold, after deleting those whose window holds a changed transaction.

with

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
sales_lines as {{ inline_cte() }} (
    select * from {{ ref('fct_sales_lines') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

as_of_dates as (
    select * from {{ ref('int_feature_as_of_dates') }}
),

shopper_features as (
    select * from {{ ref('int_shopper_features') }}
),

scored_brands as (
    {{ scored_brands('campaigns') }}
),

feature_dates as (
    select * from as_of_dates
    where is_training_grid or is_scoring_date
),

feature_brand_dates as (
    select
        feature_dates.as_of_date,
        feature_dates.window_start_date,
        feature_dates.status_start_date,
        scored_brands.brand
    from feature_dates
    cross join scored_brands
),

-- the (as-of date, brand) pairs to compute: all of them, or in an incremental run those the table does not hold
brand_dates as (
    select * from feature_brand_dates
    {{ missing_as_of_dates_filter(['as_of_date', 'brand']) }}
),

computed_brands as (
    select distinct brand
    from brand_dates
),

brand_categories as (
    select distinct
        products.brand,
        products.category_l2
    from products
    inner join computed_brands
        on products.brand = computed_brands.brand
),

category_lines as (
    select
        sales_lines.shopper_key,
        sales_lines.retailer,
        sales_lines.transaction_id,
        sales_lines.business_date,
        sales_lines.units,
        sales_lines.net_amount_eur,
        sales_lines.is_promo,
        brand_categories.brand,
        products.brand = brand_categories.brand as is_brand_line
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    inner join brand_categories
        on products.category_l2 = brand_categories.category_l2
    where
        sales_lines.shopper_key is not null
        -- only the 365-day windows of the dates to compute are read (at 100M lines, a third of the history)
        and sales_lines.business_date >= (select min(window_start_date) from brand_dates)
),

-- one row per transaction of a shopper with lines of a scored brand's categories on a day: a brand basket is a
-- transaction with a brand line, summed below instead of counted distinct per day (DuckDB computes a distinct
-- count as a group-by of its own, joined back to the other sums)
category_transactions as (
    select
        shopper_key,
        retailer,
        brand,
        business_date,
        transaction_id,
        max(case when is_brand_line then 1 else 0 end) as is_brand_basket,
        sum(case when is_brand_line and units > 0 then 1 else 0 end) as brand_purchase_lines,
        sum(case when is_brand_line then net_amount_eur else 0 end) as brand_spend_eur,
        sum(case when is_brand_line and is_promo then net_amount_eur else 0 end) as brand_promo_spend_eur,
        sum(net_amount_eur) as category_spend_eur
    from category_lines
    group by shopper_key, retailer, brand, business_date, transaction_id
),

-- the bounds of every window (as-of dates, window starts, status starts) cut the calendar into segments that lie
-- wholly inside or outside each window and its recent part: the transactions are summed into their segment
-- first, so the window join repeats a segment (about a month of days) per as-of date instead of every day
segment_starts as (
    select as_of_date as segment_start_date from brand_dates
    union
    select window_start_date as segment_start_date from brand_dates
    union
    select status_start_date as segment_start_date from brand_dates
),

window_days as (
    select distinct business_date
    from sales_lines
    where business_date >= (select min(window_start_date) from brand_dates)
),

day_segments as (
    select
        window_days.business_date,
        max(segment_starts.segment_start_date) as segment_start_date
    from window_days
    inner join segment_starts
        on window_days.business_date >= segment_starts.segment_start_date
    group by window_days.business_date
),

brand_segments as (
    select
        category_transactions.shopper_key,
        category_transactions.retailer,
        category_transactions.brand,
        day_segments.segment_start_date,
        sum(category_transactions.is_brand_basket) as brand_baskets,
        sum(category_transactions.brand_purchase_lines) as brand_purchase_lines,
        sum(category_transactions.brand_spend_eur) as brand_spend_eur,
        sum(category_transactions.brand_promo_spend_eur) as brand_promo_spend_eur,
        sum(category_transactions.category_spend_eur) as category_spend_eur,
        max(
            case when category_transactions.brand_purchase_lines > 0 then category_transactions.business_date end
        ) as brand_last_purchase_date
    from category_transactions
    inner join day_segments
        on category_transactions.business_date = day_segments.business_date
    group by
        category_transactions.shopper_key,
        category_transactions.retailer,
        category_transactions.brand,
        day_segments.segment_start_date
),

windowed as (
    select
        brand_dates.as_of_date,
        brand_dates.status_start_date,
        brand_segments.*
    from brand_segments
    inner join brand_dates
        on
            brand_segments.brand = brand_dates.brand
            and brand_segments.segment_start_date < brand_dates.as_of_date
            and brand_segments.segment_start_date >= brand_dates.window_start_date
),

totals as (
    select
        shopper_key,
        retailer,
        brand,
        as_of_date,
        sum(brand_baskets) as brand_baskets_365d,
        sum(brand_spend_eur) as brand_spend_365d_eur,
        sum(brand_promo_spend_eur) as brand_promo_spend_365d_eur,
        sum(category_spend_eur) as category_spend_365d_eur,
        max(brand_last_purchase_date) as brand_last_purchase_date,
        sum(case when segment_start_date >= status_start_date then brand_purchase_lines else 0 end)
            as brand_lines_recent,
        sum(case when segment_start_date < status_start_date then brand_purchase_lines else 0 end)
            as brand_lines_earlier
    from windowed
    group by shopper_key, retailer, brand, as_of_date
),

final as (
    select
        totals.shopper_key,
        totals.retailer,
        totals.brand,
        totals.as_of_date,
        totals.brand_baskets_365d,
        cast(totals.brand_spend_365d_eur as double) as brand_spend_365d_eur,
        cast(totals.category_spend_365d_eur as double) as category_spend_365d_eur,
        {{ dbt.datediff('totals.brand_last_purchase_date', 'totals.as_of_date', 'day') }}
            as brand_days_since_last_purchase,
        totals.brand_lines_recent,
        totals.brand_lines_earlier,
        case
            when shopper_features.spend_365d_eur > 0
                then cast(totals.brand_spend_365d_eur as double) / shopper_features.spend_365d_eur
        end as brand_share_of_wallet,
        case
            when shopper_features.spend_365d_eur > 0
                then cast(totals.category_spend_365d_eur as double) / shopper_features.spend_365d_eur
        end as category_share_of_wallet,
        case
            when totals.category_spend_365d_eur > 0
                then cast(totals.brand_spend_365d_eur as double) / cast(totals.category_spend_365d_eur as double)
        end as brand_share_of_category,
        case
            when totals.brand_spend_365d_eur > 0
                then
                    cast(totals.brand_promo_spend_365d_eur as double)
                    / cast(totals.brand_spend_365d_eur as double)
        end as brand_promo_share,
        case
            when totals.brand_lines_recent >= 3 then 'loyal'
            when totals.brand_lines_recent > 0 then 'active'
            when totals.brand_lines_earlier > 0 then 'lapsed'
            else 'category_buyer'
        end as brand_status
    from totals
    inner join shopper_features
        on
            totals.shopper_key = shopper_features.shopper_key
            and totals.retailer = shopper_features.retailer
            and totals.as_of_date = shopper_features.as_of_date
)

select * from final
