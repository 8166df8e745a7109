-- One row per planned campaign x eligible shopper: the in-scope net sales
-- over a window of the campaign's length ending on the last business date,
-- the historical outcome whose variance sizes the campaign (campaign_power).
-- Eligible: identified shopper of one of the campaign's retailers who bought
-- there (a line with units > 0) in the 365 days before start_date.
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

campaign_retailers as (
    select * from {{ ref('int_campaign_retailers') }}
),

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
sales_lines as {{ inline_cte() }} (
    select * from {{ ref('fct_sales_lines') }}
),

-- eligibility is read from the shoppers' days (a tenth of the lines): a day with a sold basket at a store of the
-- retailer is a day with a line of units > 0 there
shopper_store_days as (
    select * from {{ ref('int_shopper_store_days') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

last_business_date as (
    select max(business_date) as last_date
    from sales_lines
),

planned_campaigns as (
    select
        campaigns.campaign_id,
        campaign_retailers.retailer,
        campaigns.brand,
        nullif(trim(campaigns.category_l2), '') as category_l2,
        cast({{ dbt.dateadd('day', '-365', 'campaigns.start_date') }} as date) as eligibility_start_date,
        cast({{ dbt.dateadd('day', '-1', 'campaigns.start_date') }} as date) as eligibility_end_date,
        cast(
            {{ dbt.dateadd(
                'day',
                '-1 * ' ~ dbt.datediff('campaigns.start_date', 'campaigns.end_date', 'day'),
                'last_business_date.last_date'
            ) }} as date
        ) as outcome_start_date,
        last_business_date.last_date as outcome_end_date
    from campaigns
    inner join campaign_retailers
        on campaigns.campaign_id = campaign_retailers.campaign_id
    cross join last_business_date
    where campaigns.campaign_status = 'planned'
),

eligible_shoppers as (
    select distinct
        planned_campaigns.campaign_id,
        planned_campaigns.retailer,
        shopper_store_days.shopper_key
    from planned_campaigns
    inner join shopper_store_days
        on
            planned_campaigns.retailer = shopper_store_days.retailer
            and planned_campaigns.eligibility_start_date <= shopper_store_days.business_date
            and planned_campaigns.eligibility_end_date >= shopper_store_days.business_date
    where shopper_store_days.sold_baskets > 0
),

window_sales as (
    select
        planned_campaigns.campaign_id,
        planned_campaigns.retailer,
        sales_lines.shopper_key,
        sum(sales_lines.net_amount_eur) as outcome_sales_eur
    from planned_campaigns
    inner join sales_lines
        on
            planned_campaigns.retailer = sales_lines.retailer
            and planned_campaigns.outcome_start_date <= sales_lines.business_date
            and planned_campaigns.outcome_end_date >= sales_lines.business_date
    inner join products
        on sales_lines.gtin = products.gtin
    where
        sales_lines.shopper_key is not null
        and products.brand = planned_campaigns.brand
        and (planned_campaigns.category_l2 is null or products.category_l2 = planned_campaigns.category_l2)
    group by planned_campaigns.campaign_id, planned_campaigns.retailer, sales_lines.shopper_key
),

final as (
    select
        eligible_shoppers.campaign_id,
        eligible_shoppers.retailer,
        eligible_shoppers.shopper_key,
        coalesce(window_sales.outcome_sales_eur, 0) as outcome_sales_eur
    from eligible_shoppers
    left join window_sales
        on
            eligible_shoppers.campaign_id = window_sales.campaign_id
            and eligible_shoppers.retailer = window_sales.retailer
            and eligible_shoppers.shopper_key = window_sales.shopper_key
)

select * from final
