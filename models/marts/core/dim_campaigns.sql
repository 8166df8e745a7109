-- One row per campaign; campaign_status = planned when it starts after the last business_date sold.

with

campaigns as (
    select * from {{ ref('stg_campaigns__campaigns') }}
),

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

last_sale as (
    select max(business_date) as last_business_date
    from sales_lines
),

ranked as (
    select
        *,
        row_number() over (partition by campaign_id order by row_order) as campaign_rank
    from campaigns
    where campaign_id is not null
),

final as (
    select
        ranked.campaign_id,
        ranked.brand,
        ranked.category_l2,
        ranked.offer_type,
        cast(ranked.offer_value as decimal(18, 6)) as offer_value,
        ranked.start_date,
        ranked.end_date,
        ranked.retailers,
        cast(ranked.budget_eur as decimal(18, 6)) as budget_eur,
        cast(ranked.cost_per_offer_eur as decimal(18, 6)) as cost_per_offer_eur,
        ranked.holdout_share,
        case
            when ranked.start_date > last_sale.last_business_date then 'planned'
            else 'past_or_running'
        end as campaign_status
    from ranked
    cross join last_sale
    where ranked.campaign_rank = 1
)

select * from final
