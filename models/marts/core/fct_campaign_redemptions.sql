-- One row per redeemed offer (erased shoppers left out), with the shopper's arm; control = contamination.

with

redemptions as (
    select * from {{ ref('stg_campaigns__redemptions') }}
),

assignments as (
    select * from {{ ref('fct_campaign_assignments') }}
),

erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

kept_redemptions as (
    select redemptions.*
    from redemptions
    left join erased_shoppers
        on redemptions.shopper_key = erased_shoppers.shopper_key
    where erased_shoppers.shopper_key is null
),

final as (
    select
        kept_redemptions.campaign_id,
        kept_redemptions.retailer,
        kept_redemptions.shopper_key,
        kept_redemptions.redeemed_at,
        kept_redemptions.transaction_id,
        cast(kept_redemptions.discount_eur as decimal(18, 6)) as discount_eur,
        assignments.arm,
        coalesce(assignments.arm = 'control', false) as is_contaminated
    from kept_redemptions
    left join assignments
        on
            kept_redemptions.campaign_id = assignments.campaign_id
            and kept_redemptions.shopper_key = assignments.shopper_key
)

select * from final
