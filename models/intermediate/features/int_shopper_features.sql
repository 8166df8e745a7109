-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_as_of_dates(ref('int_feature_as_of_dates'), ref('int_core__changed_transactions')) }}",
) }}
-- One row per identified shopper x as-of date, for shoppers with at least one
-- sale line at their retailer in the 365 days before the as-of date.
-- Point in time: only days with window_start_date <= business_date < as_of_date are read, from the day tables
-- int_shopper_store_days and int_shopper_category_days (the sale lines summed by shopper, store or category, day).
-- Incremental on DuckDB (macros/features/feature_incremental.sql): a run computes only the as-of dates it does
-- not hold, after deleting those whose window holds a changed transaction.

{%- set main_store_order = ['-spend_365d_eur', '-store_days', 'store_code'] %}

with

as_of_dates as (
    select * from {{ ref('int_feature_as_of_dates') }}
    {{ missing_as_of_dates_filter() }}
),

store_days as (
    select * from {{ ref('int_shopper_store_days') }}
    {%- if core_is_incremental_run() %}
        -- only the history the as-of dates to compute can see
        where business_date >= (select min(window_start_date) from as_of_dates)
    {%- endif %}
),

category_days as (
    select * from {{ ref('int_shopper_category_days') }}
    {%- if core_is_incremental_run() %}
        where business_date >= (select min(window_start_date) from as_of_dates)
    {%- endif %}
),

stores as (
    select * from {{ ref('dim_stores') }}
),

-- every store day in every window holding it (10M lines: 9.7M rows); read once, so it streams
windowed as (
    select
        store_days.*,
        as_of_dates.as_of_date,
        as_of_dates.recent_start_date
    from store_days
    inner join as_of_dates
        on
            store_days.business_date < as_of_dates.as_of_date
            and store_days.business_date >= as_of_dates.window_start_date
),

-- the window sums of a shopper at one store (2.8M rows): the totals, the main store among them, read these
-- instead of the fan-out
store_windows as (
    select
        shopper_key,
        retailer,
        as_of_date,
        store_code,
        count(*) as store_days,
        min(business_date) as first_purchase_date,
        max(business_date) as last_purchase_date,
        sum(case when business_date >= recent_start_date then baskets else 0 end) as baskets_90d,
        sum(baskets) as baskets_365d,
        sum(case when business_date >= recent_start_date then spend_eur else 0 end) as spend_90d_eur,
        sum(spend_eur) as spend_365d_eur,
        sum(promo_spend_eur) as promo_spend_365d_eur,
        sum(units) as units_365d,
        sum(offer_lines) as offer_lines_365d,
        sum(price_ratio_sum) as price_ratio_sum,
        sum(priced_lines) as priced_lines
    from windowed
    group by shopper_key, retailer, as_of_date, store_code
),

store_windows_located as (
    select
        store_windows.*,
        stores.format as store_format
    from store_windows
    left join stores
        on store_windows.store_code = stores.store_code
),

-- each visit date of a shopper at the retailer with the visit date before it, over the whole history
shopper_visit_days as (
    select
        shopper_key,
        retailer,
        business_date,
        lag(business_date) over (partition by shopper_key, retailer order by business_date) as previous_visit_date
    from store_days
    group by shopper_key, retailer, business_date
),

-- the gaps between consecutive visit dates inside a window are the gaps to the previous visit of every
-- visit in it but the first (whose previous visit, if any, lies before the window): summed, not windowed
-- again per as-of date
visit_gaps as (
    select
        shopper_visit_days.shopper_key,
        shopper_visit_days.retailer,
        as_of_dates.as_of_date,
        {{ dbt.datediff(
            'shopper_visit_days.previous_visit_date', 'shopper_visit_days.business_date', 'day'
        ) }} as gap_days,
        shopper_visit_days.previous_visit_date >= as_of_dates.window_start_date as is_gap_in_window
    from shopper_visit_days
    inner join as_of_dates
        on
            shopper_visit_days.business_date < as_of_dates.as_of_date
            and shopper_visit_days.business_date >= as_of_dates.window_start_date
),

gap_sums as (
    select
        shopper_key,
        retailer,
        as_of_date,
        count(*) as visit_days,
        sum(case when is_gap_in_window then 1 else 0 end) as gap_count,
        sum(case when is_gap_in_window then gap_days else 0 end) as gap_days_sum,
        sum(case when is_gap_in_window then gap_days * gap_days else 0 end) as gap_days_square_sum
    from visit_gaps
    group by shopper_key, retailer, as_of_date
),

gaps as (
    select
        shopper_key,
        retailer,
        as_of_date,
        visit_days,
        case when gap_count > 0 then cast(gap_days_sum as double) / gap_count end as mean_interpurchase_days,
        -- sample standard deviation from the sums (exact integers): (S2 - S1^2 / m) / (m - 1)
        case
            when gap_count > 1
                then sqrt(greatest(
                    (cast(gap_days_square_sum as double) - cast(gap_days_sum as double) * gap_days_sum / gap_count)
                    / (gap_count - 1),
                    0
                ))
        end as sd_interpurchase_days
    from gap_sums
),

-- one row per category bought on a day, with the next day the shopper bought it: that row is the latest
-- purchase of the category before every as-of date in (business_date, next_business_date], so each
-- category joins each as-of date once and is counted without a distinct count over the fan-out
shopper_category_days as (
    select
        shopper_key,
        retailer,
        category_l2,
        business_date,
        lead(business_date) over (
            partition by shopper_key, retailer, category_l2 order by business_date
        ) as next_business_date
    from category_days
),

categories as (
    select
        shopper_category_days.shopper_key,
        shopper_category_days.retailer,
        as_of_dates.as_of_date,
        count(*) as categories_365d
    from shopper_category_days
    inner join as_of_dates
        on
            shopper_category_days.business_date < as_of_dates.as_of_date
            and shopper_category_days.business_date >= as_of_dates.window_start_date
            and (
                shopper_category_days.next_business_date is null
                or shopper_category_days.next_business_date >= as_of_dates.as_of_date
            )
    group by shopper_category_days.shopper_key, shopper_category_days.retailer, as_of_dates.as_of_date
),

window_totals as (
    select
        shopper_key,
        retailer,
        as_of_date,
        min(first_purchase_date) as first_purchase_date,
        max(last_purchase_date) as last_purchase_date,
        sum(baskets_90d) as baskets_90d,
        sum(baskets_365d) as baskets_365d,
        sum(spend_90d_eur) as spend_90d_eur,
        sum(spend_365d_eur) as spend_365d_eur,
        sum(promo_spend_365d_eur) as promo_spend_365d_eur,
        sum(units_365d) as units_365d,
        sum(offer_lines_365d) as offer_lines_365d,
        {% for store_format in ['hyper', 'super', 'proximity', 'drive', 'online'] -%}
            sum(
                case when store_format = '{{ store_format }}' then spend_365d_eur else 0 end
            ) as {{ store_format }}_spend_eur,
        {% endfor -%}
        sum(price_ratio_sum) as price_ratio_sum,
        sum(priced_lines) as priced_lines,
        -- main store: the most spend, then the most store days, then the first store code (its format and
        -- postal code are looked up after the group-by: one ordered aggregate instead of three)
        {{ first_by_order('store_code', main_store_order) }} as main_store_code
    from store_windows_located
    group by shopper_key, retailer, as_of_date
),

totals as (
    select
        window_totals.*,
        stores.format as main_store_format,
        stores.postal_code as main_postal_code
    from window_totals
    left join stores
        on window_totals.main_store_code = stores.store_code
),

final as (
    select
        totals.shopper_key,
        totals.retailer,
        totals.as_of_date,
        -- recency and tenure
        {{ dbt.datediff('totals.last_purchase_date', 'totals.as_of_date', 'day') }} as days_since_last_purchase,  -- noqa: LT05
        {{ dbt.datediff('totals.first_purchase_date', 'totals.as_of_date', 'day') }} as tenure_days,  -- noqa: LT05
        -- frequency and monetary value
        totals.baskets_90d,
        totals.baskets_365d,
        cast(totals.spend_90d_eur as double) as spend_90d_eur,
        cast(totals.spend_365d_eur as double) as spend_365d_eur,
        cast(totals.spend_365d_eur as double) / totals.baskets_365d as avg_basket_eur,
        cast(totals.units_365d as double) / totals.baskets_365d as avg_basket_units,
        -- promotion sensitivity
        case
            when totals.spend_365d_eur > 0
                then cast(totals.promo_spend_365d_eur as double) / cast(totals.spend_365d_eur as double)
        end as promo_spend_share,
        totals.offer_lines_365d as offers_used_365d,
        -- price positioning: mean of (unit price / category_l3 average unit price that day)
        case when totals.priced_lines > 0 then totals.price_ratio_sum / totals.priced_lines end as price_index,
        -- regularity
        gaps.visit_days,
        gaps.mean_interpurchase_days,
        gaps.sd_interpurchase_days,
        -- a shopper whose lines in the window carry no category_l2 has no categories row
        coalesce(categories.categories_365d, 0) as categories_365d,
        -- store format mix (share of spend)
        {% for store_format in ['hyper', 'super', 'proximity', 'drive', 'online'] -%}
            case
                when totals.spend_365d_eur > 0
                    then cast(totals.{{ store_format }}_spend_eur as double) / cast(totals.spend_365d_eur as double)
                else 0
            end as {{ store_format }}_spend_share,
        {% endfor -%}
        -- geography, distance-free
        totals.main_store_code,
        totals.main_store_format,
        case
            when {{ dbt.length('totals.main_postal_code') }} < 5 then null
            when substring(totals.main_postal_code, 1, 2) = '97' then substring(totals.main_postal_code, 1, 3)
            when substring(totals.main_postal_code, 1, 3) in ('200', '201') then '2A'
            when substring(totals.main_postal_code, 1, 3) = '202' then '2B'
            else substring(totals.main_postal_code, 1, 2)
        end as main_store_departement
    from totals
    inner join gaps
        on
            totals.shopper_key = gaps.shopper_key
            and totals.retailer = gaps.retailer
            and totals.as_of_date = gaps.as_of_date
    left join categories
        on
            totals.shopper_key = categories.shopper_key
            and totals.retailer = categories.retailer
            and totals.as_of_date = categories.as_of_date
)

select * from final
