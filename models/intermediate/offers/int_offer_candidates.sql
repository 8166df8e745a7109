-- One row per planned campaign x scored shopper: the pairs the offer rules and the optimiser consider.

with

uplift_scores as (
    select * from {{ ref('uplift_scores') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

last_sale as (
    select max(business_date) as last_business_date
    from sales_lines
),

planned_campaigns as (
    select
        campaign_id,
        brand,
        category_l2,
        start_date,
        end_date
    from campaigns
    where campaign_status = 'planned'
),

final as (
    select
        uplift_scores.campaign_id,
        uplift_scores.retailer,
        uplift_scores.shopper_key,
        planned_campaigns.brand,
        planned_campaigns.category_l2,
        planned_campaigns.start_date,
        planned_campaigns.end_date,
        last_sale.last_business_date,
        cast(uplift_scores.expected_incremental_sales_eur as double) as expected_incremental_sales_eur
    from uplift_scores
    inner join planned_campaigns
        on uplift_scores.campaign_id = planned_campaigns.campaign_id
    cross join last_sale
    left join erased_shoppers
        on uplift_scores.shopper_key = erased_shoppers.shopper_key
    where erased_shoppers.shopper_key is null
)

select * from final
