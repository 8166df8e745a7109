-- One row per past or running campaign x retailer: the campaign window and
-- the pre-period of the same number of days just before start_date.
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

campaign_retailers as (
    select * from {{ ref('int_campaign_retailers') }}
),

past_campaigns as (
    select
        campaign_id,
        brand,
        nullif(trim(category_l2), '') as category_l2,
        start_date,
        end_date,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as campaign_days  -- noqa: LT05
    from campaigns
    where campaign_status = 'past_or_running'
),

final as (
    select
        past_campaigns.campaign_id,
        campaign_retailers.retailer,
        past_campaigns.brand,
        past_campaigns.category_l2,
        past_campaigns.start_date,
        past_campaigns.end_date,
        past_campaigns.campaign_days,
        cast({{ dbt.dateadd('day', '-1 * past_campaigns.campaign_days', 'past_campaigns.start_date') }} as date)
            as pre_period_start_date,
        cast({{ dbt.dateadd('day', '-1', 'past_campaigns.start_date') }} as date) as pre_period_end_date
    from past_campaigns
    inner join campaign_retailers
        on past_campaigns.campaign_id = campaign_retailers.campaign_id
)

select * from final
