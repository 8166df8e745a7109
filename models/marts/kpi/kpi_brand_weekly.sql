-- depends_on: {{ ref('int_kpi__changed_weeks') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_periods(ref('int_kpi__changed_weeks'), 'week', 'week_start') }}",
) }}
-- Incremental on DuckDB: a run deletes and recomputes the weeks of int_kpi__changed_weeks only.
with

-- read more than once: re-scanned, not copied (macros/core/inline_cte.sql)
sales_lines as {{ inline_cte() }} (
    select * from {{ ref('fct_sales_lines') }}
    {{ kpi_changed_periods_filter(ref('int_kpi__changed_weeks'), 'week') }}
),

product_keys as (
    select * from {{ ref('int_kpi__product_keys') }}
),

brands as (
    select distinct
        brand_key,
        brand
    from product_keys
),

weekly_lines as {{ inline_cte_unless_incremental() }} (
    -- every sale line with the Monday of its ISO week
    select
        retailer,
        transaction_id,
        shopper_key,
        gtin,
        units,
        net_amount_eur,
        is_promo,
        {{ kpi_week_start('business_date') }} as week_start
    from sales_lines
),

brand_lines as {{ inline_cte_unless_incremental() }} (
    select
        weekly_lines.retailer,
        weekly_lines.transaction_id,
        weekly_lines.shopper_key,
        weekly_lines.units,
        weekly_lines.net_amount_eur,
        weekly_lines.is_promo,
        weekly_lines.week_start,
        product_keys.brand_key
    from weekly_lines
    inner join product_keys
        on weekly_lines.gtin = product_keys.gtin
),

-- grouped by the integer brand_key (int_kpi__product_keys), the names joined back in final; the sums, the
-- counts in group-bys of their own (kpi_counts, macros/kpi/kpi_formulas.sql)
brand_sums as (
    select
        retailer,
        brand_key,
        week_start,
        {{ kpi_sales_eur() }} as sales_eur,
        {{ kpi_units() }} as units,
        {{ kpi_identified_sales_eur() }} as identified_sales_eur,
        {{ kpi_promo_sales_eur() }} as promo_sales_eur
    from brand_lines
    group by retailer, brand_key, week_start
),

brand_counts as (
    {{ kpi_counts('brand_lines', ['retailer', 'brand_key', 'week_start']) }}
),

brand_weeks as (
    select
        brand_sums.retailer,
        brand_sums.brand_key,
        brand_sums.week_start,
        brand_sums.sales_eur,
        brand_sums.units,
        brand_counts.baskets,
        brand_counts.identified_baskets,
        brand_counts.buyers,
        brand_sums.identified_sales_eur,
        brand_sums.promo_sales_eur
    from brand_sums
    inner join brand_counts
        on
            brand_sums.retailer = brand_counts.retailer
            and brand_sums.brand_key = brand_counts.brand_key
            and brand_sums.week_start = brand_counts.week_start
),

retailer_shoppers as (
    select distinct
        retailer,
        week_start,
        shopper_key
    from weekly_lines
),

retailer_weeks as (
    select
        retailer,
        week_start,
        {{ kpi_active_shoppers() }} as active_shoppers
    from retailer_shoppers
    group by retailer, week_start
),

final as (
    select
        brand_weeks.retailer,
        brands.brand,
        {{ kpi_iso_year('brand_weeks.week_start') }} as iso_year,
        {{ kpi_iso_week('brand_weeks.week_start') }} as iso_week,
        brand_weeks.week_start,
        brand_weeks.sales_eur,
        brand_weeks.units,
        brand_weeks.baskets,
        brand_weeks.buyers,
        retailer_weeks.active_shoppers,
        {{ kpi_penetration('brand_weeks.buyers', 'retailer_weeks.active_shoppers') }} as penetration,
        {{ kpi_frequency('brand_weeks.identified_baskets', 'brand_weeks.buyers') }} as frequency,
        {{ kpi_spend_per_buyer('brand_weeks.identified_sales_eur', 'brand_weeks.buyers') }} as spend_per_buyer,
        {{ kpi_share('brand_weeks.promo_sales_eur', 'brand_weeks.sales_eur') }} as promo_sales_share
    from brand_weeks
    inner join brands
        on brand_weeks.brand_key = brands.brand_key
    inner join retailer_weeks
        on
            brand_weeks.retailer = retailer_weeks.retailer
            and brand_weeks.week_start = retailer_weeks.week_start
)

select * from final
