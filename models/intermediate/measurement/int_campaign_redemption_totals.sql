-- Redemptions, contamination and cost per campaign x retailer.
with

redemptions as (
    select * from {{ ref('fct_campaign_redemptions') }}
),

final as (
    select
        campaign_id,
        retailer,
        count(*) as redemptions,
        sum(case when is_contaminated then 1 else 0 end) as contaminated_redemptions,
        sum(discount_eur) as cost_eur
    from redemptions
    group by campaign_id, retailer
)

select * from final
