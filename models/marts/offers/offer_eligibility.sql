-- One row per planned campaign x scored shopper: eligible or not, and which rules fired.

with

candidates as (
    select * from {{ ref('int_offer_candidates') }}
),

rule_hits as (
    select * from {{ ref('int_offer_rule_hits') }}
),

hits_per_pair as (
    select
        campaign_id,
        shopper_key,
        sum(case when action = 'exclude' then 1 else 0 end) as n_exclusions,
        max(priority_weight) as priority_weight,
        {{ sorted_listagg('rule_id', "','", 'rule_id') }} as rules_fired,
        {{ sorted_listagg('reason_code', "','", 'rule_id') }} as reason_codes
    from rule_hits
    group by campaign_id, shopper_key
),

final as (
    select
        candidates.campaign_id,
        candidates.retailer,
        candidates.shopper_key,
        candidates.expected_incremental_sales_eur,
        coalesce(hits_per_pair.n_exclusions, 0) = 0 as is_eligible,
        hits_per_pair.rules_fired,
        hits_per_pair.reason_codes,
        coalesce(hits_per_pair.priority_weight, 1.0) as priority_weight
    from candidates
    left join hits_per_pair
        on
            candidates.campaign_id = hits_per_pair.campaign_id
            and candidates.shopper_key = hits_per_pair.shopper_key
)

select * from final
