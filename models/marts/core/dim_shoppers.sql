-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_shoppers(ref('int_core__changed_transactions')) }}",
) }}
-- One row per identified shopper seen in fct_sales_lines, with behavioural attributes.
-- Incremental: the shoppers of the changed transactions are deleted and recomputed from all their lines.
{%- set incremental_run = core_is_incremental_run() %}

with

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
sales_lines as {{ inline_cte() }} (
    select * from {{ ref('fct_sales_lines') }}
),

{% if incremental_run -%}
changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),
{%- endif %}

identified_lines as {{ inline_cte_unless_incremental() }} (
    select
        shopper_key,
        retailer,
        store_code,
        transaction_id,
        business_date,
        {{ dbt.date_trunc('week', 'business_date') }} as week_start,
        units,
        net_amount_eur
    from sales_lines
    where
        shopper_key is not null
    {% if incremental_run %}
        and shopper_key in (
            select shopper_key
            from changed_transactions
            where shopper_key is not null
        )
        {% endif %}
),

store_visits as (
    select
        shopper_key,
        store_code,
        count(*) as n_lines
    from identified_lines
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

-- no distinct count next to the sums (DuckDB would copy every line for it: macros/kpi/kpi_formulas.sql): the
-- baskets, weeks and stores are counted in group-bys of their own
behaviour as (
    select
        shopper_key,
        min(retailer) as retailer,
        min(business_date) as first_purchase_date,
        max(business_date) as last_purchase_date,
        count(*) as n_lines,
        sum(case when units < 0 then 1 else 0 end) as n_return_lines,
        sum(units) as total_units,
        sum(net_amount_eur) as total_net_amount_eur
    from identified_lines
    group by shopper_key
),

-- a distinct count alone in its group-by costs no copy of the lines
basket_counts as (
    select
        shopper_key,
        count(distinct transaction_id) as n_baskets
    from identified_lines
    group by shopper_key
),

week_counts as (
    select
        shopper_key,
        count(distinct week_start) as n_active_weeks
    from identified_lines
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
        cast(basket_counts.n_baskets as integer) as n_baskets,
        cast(behaviour.n_lines as integer) as n_lines,
        cast(behaviour.n_return_lines as integer) as n_return_lines,
        cast(behaviour.total_units as bigint) as total_units,
        cast(behaviour.total_net_amount_eur as decimal(18, 6)) as total_net_amount_eur,
        cast(behaviour.total_net_amount_eur / basket_counts.n_baskets as decimal(18, 6)) as avg_basket_eur,
        cast(week_counts.n_active_weeks as integer) as n_active_weeks,
        cast(store_counts.n_stores as integer) as n_stores,
        main_stores.main_store_code
    from behaviour
    inner join basket_counts
        on behaviour.shopper_key = basket_counts.shopper_key
    inner join week_counts
        on behaviour.shopper_key = week_counts.shopper_key
    inner join store_counts
        on behaviour.shopper_key = store_counts.shopper_key
    left join main_stores
        on behaviour.shopper_key = main_stores.shopper_key
)

select * from final
