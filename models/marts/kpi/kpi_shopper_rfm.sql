{#- RFM of every identified shopper over the 52 weeks (364 days) ending on the
    last business date of fct_sales_lines; scores are quintiles within the retailer. -#}
{% set window_days = 364 %}

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

-- the shoppers' day sums (a tenth of the rows of their lines), baskets counted with kpi_baskets there
store_days as (
    select * from {{ ref('int_shopper_store_days') }}
),

-- the last business date of every line, anonymous ones included
as_of as (
    select max(business_date) as as_of_date
    from sales_lines
),

window_days as (
    select
        store_days.retailer,
        store_days.shopper_key,
        store_days.business_date,
        store_days.sold_baskets,
        store_days.spend_eur,
        as_of.as_of_date
    from store_days
    cross join as_of
    where
        -- a date computed in a scalar subquery, not the joined as-of date (nor a timestamp): DuckDB then skips
        -- the blocks of days outside the window from their min / max dates
        store_days.business_date > (
            select cast({{ dbt.dateadd('day', -window_days, 'last_date.as_of_date') }} as date)
            from as_of as last_date
        )
),

shopper_measures as (
    select
        retailer,
        shopper_key,
        as_of_date,
        max(case when sold_baskets > 0 then business_date end) as last_basket_date,
        cast(sum(sold_baskets) as {{ dbt.type_bigint() }}) as baskets,
        sum(spend_eur) as sales_eur
    from window_days
    group by retailer, shopper_key, as_of_date
),

buyers as (
    -- shoppers with at least one basket in the window
    select
        retailer,
        shopper_key,
        as_of_date,
        last_basket_date,
        {{ dbt.datediff('last_basket_date', 'as_of_date', 'day') }} as recency_days,  -- noqa: LT05
        baskets,
        sales_eur
    from shopper_measures
    where baskets > 0
),

scored as (
    select
        retailer,
        shopper_key,
        as_of_date,
        last_basket_date,
        recency_days,
        baskets,
        sales_eur,
        ntile(5) over (partition by retailer order by recency_days desc, shopper_key asc) as r_score,
        ntile(5) over (partition by retailer order by baskets, shopper_key) as f_score,
        ntile(5) over (partition by retailer order by sales_eur, shopper_key) as m_score
    from buyers
),

final as (
    select
        retailer,
        shopper_key,
        as_of_date,
        last_basket_date,
        recency_days,
        baskets,
        sales_eur,
        r_score,
        f_score,
        m_score,
        case
            when r_score >= 4 and f_score >= 4 then 'champions'
            when f_score >= 4 then 'loyal'
            when r_score >= 4 then 'recent'
            when r_score <= 2 and f_score >= 3 then 'at_risk'
            when r_score = 1 then 'lost'
            else 'occasional'
        end as rfm_segment
    from scored
)

select * from final
