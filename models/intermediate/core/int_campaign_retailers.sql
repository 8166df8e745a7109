-- One row per campaign x retailer of its pipe-separated `retailers` list.

with

campaigns as (
    select * from {{ ref('stg_campaigns__campaigns') }}
),

retailers as (
    select 'ALPHA' as retailer
    union all
    select 'BETA' as retailer
    union all
    select 'GAMMA' as retailer
),

final as (
    select
        campaigns.campaign_id,
        retailers.retailer
    from campaigns
    inner join retailers
        on
            {{ dbt.concat(["'|'", 'campaigns.retailers', "'|'"]) }}
            like {{ dbt.concat(["'%|'", 'retailers.retailer', "'|%'"]) }}
    where campaigns.campaign_id is not null
)

select * from final
