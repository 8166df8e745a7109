-- One row per candidate pair x active exclude / prioritise rule that fires on it (seed offer_rules).
-- Each rule type of the vocabulary is one CTE; cap rules are applied by the optimiser.

with

candidates as (
    select * from {{ ref('int_offer_candidates') }}
),

rules as (
    select * from {{ ref('offer_rules') }}
    where is_active
),

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

assignments as (
    select * from {{ ref('fct_campaign_assignments') }}
),

-- last in-scope purchase of each candidate, at full price and at any price
scope_purchases as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        max(case when not sales_lines.is_promo then sales_lines.business_date end) as last_full_price_date,
        max(sales_lines.business_date) as last_purchase_date
    from candidates
    inner join sales_lines
        on
            candidates.shopper_key = sales_lines.shopper_key
            and candidates.retailer = sales_lines.retailer
    inner join products
        on sales_lines.gtin = products.gtin
    where
        sales_lines.units > 0
        and products.brand = candidates.brand
        and (candidates.category_l2 is null or products.category_l2 = candidates.category_l2)
    group by candidates.campaign_id, candidates.shopper_key
),

-- last treatment offer received from a past campaign, before the planned start
past_offers as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        max(cast(assignments.assigned_at as date)) as last_offer_date
    from candidates
    inner join assignments
        on candidates.shopper_key = assignments.shopper_key
    where
        assignments.arm = 'treatment'
        and cast(assignments.assigned_at as date) <= candidates.start_date
    group by candidates.campaign_id, candidates.shopper_key
),

recent_full_price_buyer as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        rules.rule_id
    from candidates
    inner join rules
        on rules.rule_type = 'recent_full_price_buyer'
    inner join scope_purchases
        on
            candidates.campaign_id = scope_purchases.campaign_id
            and candidates.shopper_key = scope_purchases.shopper_key
    where
        scope_purchases.last_full_price_date
        > {{ dbt.dateadd('day', '-1 * rules.param_days', 'candidates.last_business_date') }}
),

min_days_between_offers as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        rules.rule_id
    from candidates
    inner join rules
        on rules.rule_type = 'min_days_between_offers'
    inner join past_offers
        on
            candidates.campaign_id = past_offers.campaign_id
            and candidates.shopper_key = past_offers.shopper_key
    where
        past_offers.last_offer_date
        > {{ dbt.dateadd('day', '-1 * rules.param_days', 'candidates.start_date') }}
),

retailer_exclusion as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        rules.rule_id
    from candidates
    inner join rules
        on
            rules.rule_type = 'retailer_exclusion'
            and candidates.retailer = rules.param_retailer
    where rules.param_brand is null or rules.param_brand = candidates.brand
),

min_expected_uplift as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        rules.rule_id
    from candidates
    inner join rules
        on rules.rule_type = 'min_expected_uplift'
    where candidates.expected_incremental_sales_eur <= coalesce(rules.param_amount_eur, 0)
),

prioritise_lapsed_buyers as (
    select
        candidates.campaign_id,
        candidates.shopper_key,
        rules.rule_id
    from candidates
    inner join rules
        on rules.rule_type = 'prioritise_lapsed_buyers'
    inner join scope_purchases
        on
            candidates.campaign_id = scope_purchases.campaign_id
            and candidates.shopper_key = scope_purchases.shopper_key
    where
        scope_purchases.last_purchase_date
        <= {{ dbt.dateadd('day', '-1 * rules.param_days', 'candidates.last_business_date') }}
),

hits as (
    select * from recent_full_price_buyer
    union all
    select * from min_days_between_offers
    union all
    select * from retailer_exclusion
    union all
    select * from min_expected_uplift
    union all
    select * from prioritise_lapsed_buyers
),

final as (
    select
        hits.campaign_id,
        hits.shopper_key,
        hits.rule_id,
        rules.rule_type,
        rules.action,
        rules.reason_code,
        case when rules.action = 'prioritise' then coalesce(rules.param_weight, 1.0) else 1.0 end as priority_weight
    from hits
    inner join rules
        on hits.rule_id = rules.rule_id
)

select * from final
