-- Propensity target: one row per shopper x scored brand x training as-of date
-- when the shopper bought the brand (a line with units > 0) at their retailer
-- within [as_of_date, as_of_date + 27 days]. Absent = did not buy (target 0).
-- Only as-of dates whose whole 28-day window is observed are labelled.
-- Reads data after the as-of date by design: a label, never a feature.
-- The scored brands come from the campaigns (macros/features/scored_brands.sql), as in the brand features, not
-- from the brand features table: the targets then build beside the feature chain instead of after it (1.3 s of
-- the critical path of a day's run at 10M and 100M lines).

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

as_of_dates as (
    select * from {{ ref('int_feature_as_of_dates') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

scored_brands as (
    {{ scored_brands('campaigns') }}
),

labelled_dates as (
    select * from as_of_dates
    where is_training_grid and has_full_target_window
),

brand_purchases as (
    select
        sales_lines.shopper_key,
        sales_lines.retailer,
        products.brand,
        sales_lines.business_date,
        sales_lines.net_amount_eur
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    inner join scored_brands
        on products.brand = scored_brands.brand
    where sales_lines.shopper_key is not null and sales_lines.units > 0
),

final as (
    select
        brand_purchases.shopper_key,
        brand_purchases.retailer,
        brand_purchases.brand,
        labelled_dates.as_of_date,
        count(*) as target_purchase_lines,
        cast(sum(brand_purchases.net_amount_eur) as double) as target_spend_eur
    from brand_purchases
    inner join labelled_dates
        on
            brand_purchases.business_date >= labelled_dates.as_of_date
            and brand_purchases.business_date < labelled_dates.target_end_date
    group by
        brand_purchases.shopper_key,
        brand_purchases.retailer,
        brand_purchases.brand,
        labelled_dates.as_of_date
)

select * from final
