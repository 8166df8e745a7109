-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_shoppers(ref('int_core__changed_transactions')) }}",
) }}
-- One row per identified shopper seen in fct_sales_lines, with behavioural attributes, summed from the shopper's
-- days (int_shopper_store_days: a tenth of the rows of their lines; reading the shopper key of every line of
-- history to find a few thousand shoppers' lines was 4.6 s of the 100M incremental day).
-- Incremental: the shoppers of the changed transactions are deleted and recomputed from all their days.
{%- set incremental_run = core_is_incremental_run() %}

with

store_days as (
    select * from {{ ref('int_shopper_store_days') }}
),

{% if incremental_run -%}
changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),
{%- endif %}

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
shopper_days as {{ inline_cte_unless_incremental() }} (
    select
        shopper_key,
        retailer,
        store_code,
        business_date,
        {{ dbt.date_trunc('week', 'business_date') }} as week_start,
        baskets,
        sale_lines,
        return_lines,
        units,
        spend_eur
    from store_days
    {% if incremental_run -%}
    where shopper_key in (
        select shopper_key
        from changed_transactions
        where shopper_key is not null
    )
    {%- endif %}
),

store_visits as (
    select
        shopper_key,
        store_code,
        sum(sale_lines) as n_lines
    from shopper_days
    group by shopper_key, store_code
),

-- the store of the most lines, then the first store code
main_stores as (
    select
        shopper_key,
        {{ first_by_order('store_code', ['-n_lines', 'store_code']) }} as main_store_code
    from store_visits
    group by shopper_key
),

behaviour as (
    select
        shopper_key,
        min(retailer) as retailer,
        min(business_date) as first_purchase_date,
        max(business_date) as last_purchase_date,
        cast(sum(baskets) as bigint) as n_baskets,
        sum(sale_lines) as n_lines,
        sum(return_lines) as n_return_lines,
        sum(units) as total_units,
        sum(spend_eur) as total_net_amount_eur
    from shopper_days
    group by shopper_key
),

-- a distinct count alone in its group-by costs no copy of the rows (macros/kpi/kpi_formulas.sql)
week_counts as (
    select
        shopper_key,
        count(distinct week_start) as n_active_weeks
    from shopper_days
    group by shopper_key
),

store_counts as (
    select
        shopper_key,
        count(store_code) as n_stores
    from store_visits
    group by shopper_key
),

final as (
    select
        behaviour.shopper_key,
        behaviour.retailer,
        behaviour.first_purchase_date,
        behaviour.last_purchase_date,
        cast(behaviour.n_baskets as integer) as n_baskets,
        cast(behaviour.n_lines as integer) as n_lines,
        cast(behaviour.n_return_lines as integer) as n_return_lines,
        cast(behaviour.total_units as bigint) as total_units,
        cast(behaviour.total_net_amount_eur as decimal(18, 6)) as total_net_amount_eur,
        cast(behaviour.total_net_amount_eur / behaviour.n_baskets as decimal(18, 6)) as avg_basket_eur,
        cast(week_counts.n_active_weeks as integer) as n_active_weeks,
        cast(store_counts.n_stores as integer) as n_stores,
        main_stores.main_store_code
    from behaviour
    inner join week_counts
        on behaviour.shopper_key = week_counts.shopper_key
    inner join store_counts
        on behaviour.shopper_key = store_counts.shopper_key
    left join main_stores
        on behaviour.shopper_key = main_stores.shopper_key
)

select * from final
