-- Categories most dependent on promotions over the last 13 ISO weeks of data, per retailer:
-- share of sales made on promotion and on brand-funded campaign codes.
-- Categories with less than `kpi_min_sales_eur` (default 100) of sales are left out.

with

category_weekly as (
    select * from {{ ref('kpi_category_weekly') }}
),

last_week as (
    select max(week_start) as last_week_start
    from category_weekly
),

recent_weeks as (
    select
        category_weekly.retailer,
        category_weekly.category_l1,
        category_weekly.category_l2,
        category_weekly.category_l3,
        category_weekly.sales_eur,
        category_weekly.promo_sales_eur,
        category_weekly.campaign_sales_eur
    from category_weekly
    cross join last_week
    where category_weekly.week_start > {{ dbt.dateadd('week', -13, 'last_week.last_week_start') }}
),

category_totals as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        sum(sales_eur) as sales_eur,
        sum(promo_sales_eur) as promo_sales_eur,
        sum(campaign_sales_eur) as campaign_sales_eur
    from recent_weeks
    group by retailer, category_l1, category_l2, category_l3
),

ranked as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        sales_eur,
        {{ kpi_share('promo_sales_eur', 'sales_eur') }} as promo_sales_share,
        {{ kpi_share('campaign_sales_eur', 'sales_eur') }} as campaign_sales_share
    from category_totals
    where sales_eur >= {{ var("kpi_min_sales_eur", 100) }}
),

final as (
    select
        retailer,
        category_l1,
        category_l2,
        category_l3,
        sales_eur,
        promo_sales_share,
        campaign_sales_share,
        rank() over (partition by retailer order by promo_sales_share desc) as promo_dependence_rank
    from ranked
)

select * from final
where promo_dependence_rank <= 10
order by retailer, promo_dependence_rank
