{#- Buyer dynamics of a brand at a retailer, period = calendar month.
    A buyer of the month holds at least one basket with a line of the brand
    with units > 0 (int_kpi__brand_buyer_months); each is new, repeat or
    recovered; lapsed shoppers are the previous month's buyers who did not buy
    this month.
    Incremental on DuckDB: whether a buyer is new depends on every earlier month, so a change in month c
    rewrites the rows of c and of every month after it (read from the buyer months of c - 1 on, plus the
    first month of the buyers of those months who did not buy the month before, from the whole history of
    int_kpi__brand_buyer_months). -#}
-- depends_on: {{ ref('int_kpi__changed_months') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_periods_from_first_change(ref('int_kpi__changed_months'), 'month', 'period_start') }}",
) }}
{%- set first_rewritten_period = kpi_first_changed_period(ref('int_kpi__changed_months'), 'month') %}

with

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
buyer_months as {{ inline_cte() }} (
    select * from {{ ref('int_kpi__brand_buyer_months') }}
),

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

data_periods as (
    select
        {{ kpi_month_start('min(business_date)') }} as first_period,
        {{ kpi_month_start('max(business_date)') }} as last_period
    from sales_lines
),

shopper_periods as (
    -- one row per buyer of the brand and month (in an incremental run, from the month before the first
    -- rewritten one)
    select
        retailer,
        brand,
        shopper_key,
        period_start,
        is_promo_only
    from buyer_months
    {%- if first_rewritten_period is not none %}
        where period_start >= {{ kpi_add_months(first_rewritten_period, -1) }}
    {%- endif %}
),

{%- if first_rewritten_period is not none %}

-- only a buyer who did not buy the month before is new or recovered, which their first month tells: in an
-- incremental run the history is grouped for these buyers alone (the history probes a hash of them, instead
-- of a group-by of all of it)
first_period_buyers as (
    select distinct
        current_period.retailer,
        current_period.brand,
        current_period.shopper_key
    from shopper_periods as current_period
    left join shopper_periods as previous_period
        on
            current_period.retailer = previous_period.retailer
            and current_period.brand = previous_period.brand
            and current_period.shopper_key = previous_period.shopper_key
            and previous_period.period_start = {{ kpi_add_months('current_period.period_start', -1) }}
    where
        previous_period.shopper_key is null
        and current_period.period_start >= {{ first_rewritten_period }}
),
{%- endif %}

first_periods as (
    select
        buyer_months.retailer,
        buyer_months.brand,
        buyer_months.shopper_key,
        min(buyer_months.period_start) as first_period
    from buyer_months
    {%- if first_rewritten_period is not none %}
        inner join first_period_buyers
            on
                buyer_months.retailer = first_period_buyers.retailer
                and buyer_months.brand = first_period_buyers.brand
                and buyer_months.shopper_key = first_period_buyers.shopper_key
    {%- endif %}
    group by buyer_months.retailer, buyer_months.brand, buyer_months.shopper_key
),

buyer_statuses as (
    select
        current_period.retailer,
        current_period.brand,
        current_period.shopper_key,
        current_period.period_start,
        current_period.is_promo_only,
        case
            when previous_period.shopper_key is not null then 'repeat'
            when first_periods.first_period = current_period.period_start then 'new'
            else 'recovered'
        end as buyer_status
    from shopper_periods as current_period
    -- a repeat buyer needs no first month (in an incremental run it has none here); the rows of the month
    -- before the rewritten ones, read for their buyers only, are left out by brand_periods
    left join first_periods
        on
            current_period.retailer = first_periods.retailer
            and current_period.brand = first_periods.brand
            and current_period.shopper_key = first_periods.shopper_key
    left join shopper_periods as previous_period
        on
            current_period.retailer = previous_period.retailer
            and current_period.brand = previous_period.brand
            and current_period.shopper_key = previous_period.shopper_key
            and previous_period.period_start = {{ kpi_add_months('current_period.period_start', -1) }}
),

lapsed_statuses as (
    -- last month's buyers who did not buy this month (only up to the last month of data)
    select
        previous_period.retailer,
        previous_period.brand,
        previous_period.shopper_key,
        {{ kpi_add_months('previous_period.period_start', 1) }} as period_start,
        0 as is_promo_only,
        'lapsed' as buyer_status
    from shopper_periods as previous_period
    cross join data_periods
    left join shopper_periods as current_period
        on
            previous_period.retailer = current_period.retailer
            and previous_period.brand = current_period.brand
            and previous_period.shopper_key = current_period.shopper_key
            and current_period.period_start = {{ kpi_add_months('previous_period.period_start', 1) }}
    where
        current_period.shopper_key is null
        and previous_period.period_start < data_periods.last_period
),

all_statuses as (
    select
        retailer,
        brand,
        shopper_key,
        period_start,
        is_promo_only,
        buyer_status
    from buyer_statuses
    union all
    select
        retailer,
        brand,
        shopper_key,
        period_start,
        is_promo_only,
        buyer_status
    from lapsed_statuses
),

brand_periods as (
    select
        retailer,
        brand,
        period_start,
        count(case when buyer_status <> 'lapsed' then 1 end) as buyers,
        count(case when buyer_status = 'new' then 1 end) as new_buyers,
        count(case when buyer_status = 'repeat' then 1 end) as repeat_buyers,
        count(case when buyer_status = 'recovered' then 1 end) as recovered_buyers,
        count(case when buyer_status = 'lapsed' then 1 end) as lapsed_buyers,
        count(case when is_promo_only = 1 then 1 end) as promo_only_buyers
    from all_statuses
    {%- if first_rewritten_period is not none %}
        where period_start >= {{ first_rewritten_period }}
    {%- endif %}
    group by retailer, brand, period_start
),

previous_buyers as (
    -- buyers counted on the previous month's own rows, to check the waterfall independently
    select
        retailer,
        brand,
        {{ kpi_add_months('period_start', 1) }} as period_start,
        count(*) as previous_period_buyers
    from shopper_periods
    group by retailer, brand, period_start
),

final as (
    select
        brand_periods.retailer,
        brand_periods.brand,
        brand_periods.period_start,
        coalesce(previous_buyers.previous_period_buyers, 0) as previous_period_buyers,
        brand_periods.lapsed_buyers,
        brand_periods.repeat_buyers,
        brand_periods.new_buyers,
        brand_periods.recovered_buyers,
        brand_periods.buyers,
        brand_periods.promo_only_buyers,
        {{ kpi_share('brand_periods.repeat_buyers', 'previous_buyers.previous_period_buyers') }} as retention_rate,
        {{ kpi_share('brand_periods.promo_only_buyers', 'brand_periods.buyers') }} as promo_only_share,
        brand_periods.period_start = data_periods.first_period as is_left_censored
    from brand_periods
    cross join data_periods
    left join previous_buyers
        on
            brand_periods.retailer = previous_buyers.retailer
            and brand_periods.brand = previous_buyers.brand
            and brand_periods.period_start = previous_buyers.period_start
)

select * from final
