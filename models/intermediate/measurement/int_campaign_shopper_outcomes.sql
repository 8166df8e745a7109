-- One row per past or running campaign x retailer x assigned shopper
-- (intention to treat: every assigned shopper, redeemed or not, with 0 when
-- they bought nothing in scope).
with

assignments as (
    select * from {{ ref('fct_campaign_assignments') }}
),

windows as (
    select * from {{ ref('int_campaign_windows') }}
),

daily_sales as (
    select * from {{ ref('int_campaign_shopper_daily_sales') }}
),

shopper_totals as (
    select
        campaign_id,
        retailer,
        shopper_key,
        sum(case when period = 'campaign' then sales_eur else 0 end) as outcome_sales_eur,
        sum(case when period = 'pre_period' then sales_eur else 0 end) as pre_period_sales_eur,
        max(case when period = 'campaign' and has_purchase then 1 else 0 end) = 1 as is_buyer
    from daily_sales
    group by campaign_id, retailer, shopper_key
),

final as (
    select
        assignments.campaign_id,
        assignments.retailer,
        assignments.shopper_key,
        assignments.arm,
        coalesce(shopper_totals.outcome_sales_eur, 0) as outcome_sales_eur,
        coalesce(shopper_totals.pre_period_sales_eur, 0) as pre_period_sales_eur,
        coalesce(shopper_totals.is_buyer, false) as is_buyer
    from assignments
    inner join windows
        on
            assignments.campaign_id = windows.campaign_id
            and assignments.retailer = windows.retailer
    left join shopper_totals
        on
            assignments.campaign_id = shopper_totals.campaign_id
            and assignments.retailer = shopper_totals.retailer
            and assignments.shopper_key = shopper_totals.shopper_key
)

select * from final
