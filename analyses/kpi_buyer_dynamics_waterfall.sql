-- Buyer-dynamics waterfall of a brand for one month at every retailer: last month's buyers,
-- minus the lapsed, plus the new and the recovered, gives this month's buyers.
-- `dbt compile --vars '{kpi_brand: DANONE, kpi_month: "2026-02-01"}'`.

with

dynamics as (
    select * from {{ ref('kpi_brand_buyer_dynamics_monthly') }}
),

chosen_month as (
    select
        retailer,
        brand,
        period_start,
        previous_period_buyers,
        lapsed_buyers,
        new_buyers,
        recovered_buyers,
        buyers
    from dynamics
    where
        brand = '{{ var("kpi_brand", "DANONE") }}'
        and period_start = cast('{{ var("kpi_month", "2026-02-01") }}' as date)
),

steps as (
    select
        retailer,
        brand,
        period_start,
        1 as step_order,
        'previous month buyers' as step,
        previous_period_buyers as buyers_change
    from chosen_month
    union all
    select
        retailer,
        brand,
        period_start,
        2 as step_order,
        'lapsed' as step,
        -lapsed_buyers as buyers_change
    from chosen_month
    union all
    select
        retailer,
        brand,
        period_start,
        3 as step_order,
        'new' as step,
        new_buyers as buyers_change
    from chosen_month
    union all
    select
        retailer,
        brand,
        period_start,
        4 as step_order,
        'recovered' as step,
        recovered_buyers as buyers_change
    from chosen_month
),

final as (
    select
        retailer,
        brand,
        period_start,
        step_order,
        step,
        buyers_change,
        sum(buyers_change) over (
            partition by retailer order by step_order rows between unbounded preceding and current row
        ) as running_buyers
    from steps
)

select * from final
order by retailer, step_order
