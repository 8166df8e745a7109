-- A brand's weekly dashboard at every retailer: the contract KPIs, the promotion KPIs and the
-- week-on-week change of sales. Choose the brand with `dbt compile --vars '{kpi_brand: DANONE}'`,
-- then run the compiled SQL (target/compiled/promo_factory/analyses/) in `duckdb` after
-- `attach 'data/published.duckdb' as warehouse (read_only); use warehouse;`
-- (dbt names relations "warehouse"."marts"..., after the warehouse file).

with

brand_weekly as (
    select * from {{ ref('kpi_brand_weekly') }}
),

brand_promo_weekly as (
    select * from {{ ref('kpi_brand_promo_weekly') }}
),

chosen_brand as (
    select
        retailer,
        brand,
        iso_year,
        iso_week,
        week_start,
        sales_eur,
        units,
        baskets,
        buyers,
        active_shoppers,
        penetration,
        frequency,
        spend_per_buyer,
        promo_sales_share
    from brand_weekly
    where brand = '{{ var("kpi_brand", "DANONE") }}'
),

with_promotion as (
    select
        chosen_brand.retailer,
        chosen_brand.brand,
        chosen_brand.iso_year,
        chosen_brand.iso_week,
        chosen_brand.week_start,
        chosen_brand.sales_eur,
        chosen_brand.units,
        chosen_brand.baskets,
        chosen_brand.buyers,
        chosen_brand.active_shoppers,
        chosen_brand.penetration,
        chosen_brand.frequency,
        chosen_brand.spend_per_buyer,
        chosen_brand.promo_sales_share,
        brand_promo_weekly.discount_depth,
        brand_promo_weekly.campaign_sales_share,
        lag(chosen_brand.sales_eur) over (
            partition by chosen_brand.retailer order by chosen_brand.week_start
        ) as previous_week_sales_eur
    from chosen_brand
    left join brand_promo_weekly
        on
            chosen_brand.retailer = brand_promo_weekly.retailer
            and chosen_brand.brand = brand_promo_weekly.brand
            and chosen_brand.week_start = brand_promo_weekly.week_start
),

final as (
    select
        retailer,
        brand,
        iso_year,
        iso_week,
        week_start,
        sales_eur,
        {{ kpi_safe_divide('sales_eur - previous_week_sales_eur', 'previous_week_sales_eur') }} as sales_change,
        units,
        baskets,
        buyers,
        active_shoppers,
        penetration,
        frequency,
        spend_per_buyer,
        promo_sales_share,
        discount_depth,
        campaign_sales_share
    from with_promotion
)

select * from final
order by retailer, week_start
