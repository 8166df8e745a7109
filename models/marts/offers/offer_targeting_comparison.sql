-- One row per planned campaign x targeting strategy, at the same number of offers (the chosen treatment arm):
-- uplift-optimised (offer_allocations), random (expected value of a random draw among eligible shoppers)
-- and propensity-only (the eligible shoppers most likely to buy the brand), valued by uplift_scores.

with

allocations as (
    select * from {{ ref('offer_allocations') }}
),

eligibility as (
    select * from {{ ref('offer_eligibility') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

propensity_scores as (
    select * from {{ ref('propensity_scores') }}
),

planned_campaigns as (
    select
        campaign_id,
        brand,
        cast(budget_eur as double) as budget_eur,
        cast(cost_per_offer_eur as double) as cost_per_offer_eur
    from campaigns
    where campaign_status = 'planned'
),

treatment_arms as (
    select
        campaign_id,
        count(*) as n_offers,
        sum(expected_incremental_sales_eur) as expected_incremental_sales_eur,
        sum(expected_cost_eur) as expected_cost_eur
    from allocations
    where arm = 'treatment'
    group by campaign_id
),

eligible_pool as (
    select
        campaign_id,
        count(*) as n_eligible,
        avg(expected_incremental_sales_eur) as mean_expected_eur
    from eligibility
    where is_eligible
    group by campaign_id
),

scoring_date as (
    select max(as_of_date) as as_of_date
    from propensity_scores
),

latest_propensity as (
    select
        propensity_scores.shopper_key,
        propensity_scores.brand,
        propensity_scores.score
    from propensity_scores
    inner join scoring_date
        on propensity_scores.as_of_date = scoring_date.as_of_date
),

propensity_ranked as (
    select
        eligibility.campaign_id,
        eligibility.expected_incremental_sales_eur,
        row_number() over (
            partition by eligibility.campaign_id
            order by coalesce(latest_propensity.score, 0) desc, eligibility.shopper_key
        ) as propensity_rank
    from eligibility
    inner join planned_campaigns
        on eligibility.campaign_id = planned_campaigns.campaign_id
    left join latest_propensity
        on
            eligibility.shopper_key = latest_propensity.shopper_key
            and planned_campaigns.brand = latest_propensity.brand
    where eligibility.is_eligible
),

strategies as (
    select
        planned_campaigns.campaign_id,
        'uplift_optimised' as strategy,
        coalesce(treatment_arms.n_offers, 0) as n_offers,
        coalesce(treatment_arms.expected_incremental_sales_eur, 0) as expected_incremental_sales_eur
    from planned_campaigns
    left join treatment_arms
        on planned_campaigns.campaign_id = treatment_arms.campaign_id

    union all

    select
        planned_campaigns.campaign_id,
        'random' as strategy,
        least(coalesce(treatment_arms.n_offers, 0), coalesce(eligible_pool.n_eligible, 0)) as n_offers,
        least(coalesce(treatment_arms.n_offers, 0), coalesce(eligible_pool.n_eligible, 0))
        * coalesce(eligible_pool.mean_expected_eur, 0) as expected_incremental_sales_eur
    from planned_campaigns
    left join treatment_arms
        on planned_campaigns.campaign_id = treatment_arms.campaign_id
    left join eligible_pool
        on planned_campaigns.campaign_id = eligible_pool.campaign_id

    union all

    select
        planned_campaigns.campaign_id,
        'propensity_only' as strategy,
        count(propensity_ranked.campaign_id) as n_offers,
        coalesce(sum(propensity_ranked.expected_incremental_sales_eur), 0) as expected_incremental_sales_eur
    from planned_campaigns
    left join treatment_arms
        on planned_campaigns.campaign_id = treatment_arms.campaign_id
    left join propensity_ranked
        on
            planned_campaigns.campaign_id = propensity_ranked.campaign_id
            and propensity_ranked.propensity_rank <= coalesce(treatment_arms.n_offers, 0)
    group by planned_campaigns.campaign_id
),

final as (
    select
        strategies.campaign_id,
        strategies.strategy,
        strategies.n_offers,
        strategies.n_offers * planned_campaigns.cost_per_offer_eur as expected_cost_eur,
        planned_campaigns.budget_eur,
        strategies.expected_incremental_sales_eur,
        strategies.expected_incremental_sales_eur
        / nullif(strategies.n_offers * planned_campaigns.cost_per_offer_eur, 0) as expected_iroas,
        strategies.n_offers * planned_campaigns.cost_per_offer_eur
        <= planned_campaigns.budget_eur + 0.000001 as is_within_budget
    from strategies
    inner join planned_campaigns
        on strategies.campaign_id = planned_campaigns.campaign_id
)

select * from final
