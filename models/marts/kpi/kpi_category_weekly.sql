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

categories as (
    select distinct
        category_key,
        category_l1,
        category_l2,
        category_l3
    from product_keys
),

weekly_lines as {{ inline_cte_unless_incremental() }} (
    select
        retailer,
        transaction_id,
        shopper_key,
        gtin,
        units,
        net_amount_eur,
        discount_eur,
        is_promo,
        campaign_id,
        {{ kpi_week_start('business_date') }} as week_start
    from sales_lines
),

category_lines as {{ inline_cte_unless_incremental() }} (
    select
        weekly_lines.retailer,
        weekly_lines.transaction_id,
        weekly_lines.shopper_key,
        weekly_lines.units,
        weekly_lines.net_amount_eur,
        weekly_lines.discount_eur,
        weekly_lines.is_promo,
        weekly_lines.campaign_id,
        weekly_lines.week_start,
        product_keys.category_key
    from weekly_lines
    inner join product_keys
        on weekly_lines.gtin = product_keys.gtin
),

-- grouped by the integer category_key (int_kpi__product_keys), the names joined back in final; the sums, the
-- counts in group-bys of their own (kpi_counts, macros/kpi/kpi_formulas.sql)
category_sums as (
    select
        retailer,
        category_key,
        week_start,
        {{ kpi_sales_eur() }} as sales_eur,
        {{ kpi_units() }} as units,
        {{ kpi_identified_sales_eur() }} as identified_sales_eur,
        {{ kpi_promo_sales_eur() }} as promo_sales_eur,
        {{ kpi_campaign_sales_eur() }} as campaign_sales_eur,
        {{ kpi_sold_discount_eur() }} as sold_discount_eur,
        {{ kpi_sold_gross_eur() }} as sold_gross_eur
    from category_lines
    group by retailer, category_key, week_start
),

category_counts as (
    {{ kpi_counts('category_lines', ['retailer', 'category_key', 'week_start']) }}
),

category_weeks as (
    select
        category_sums.retailer,
        category_sums.category_key,
        category_sums.week_start,
        category_sums.sales_eur,
        category_sums.units,
        category_counts.baskets,
        category_counts.identified_baskets,
        category_counts.buyers,
        category_sums.identified_sales_eur,
        category_sums.promo_sales_eur,
        category_sums.campaign_sales_eur,
        category_sums.sold_discount_eur,
        category_sums.sold_gross_eur
    from category_sums
    inner join category_counts
        on
            category_sums.retailer = category_counts.retailer
            and category_sums.category_key = category_counts.category_key
            and category_sums.week_start = category_counts.week_start
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
        category_weeks.retailer,
        categories.category_l1,
        categories.category_l2,
        categories.category_l3,
        {{ kpi_iso_year('category_weeks.week_start') }} as iso_year,
        {{ kpi_iso_week('category_weeks.week_start') }} as iso_week,
        category_weeks.week_start,
        category_weeks.sales_eur,
        category_weeks.units,
        category_weeks.baskets,
        category_weeks.buyers,
        retailer_weeks.active_shoppers,
        {{ kpi_penetration('category_weeks.buyers', 'retailer_weeks.active_shoppers') }} as penetration,
        {{ kpi_frequency('category_weeks.identified_baskets', 'category_weeks.buyers') }} as frequency,
        {{ kpi_spend_per_buyer('category_weeks.identified_sales_eur', 'category_weeks.buyers') }} as spend_per_buyer,
        category_weeks.promo_sales_eur,
        {{ kpi_share('category_weeks.promo_sales_eur', 'category_weeks.sales_eur') }} as promo_sales_share,
        {{ kpi_discount_depth('category_weeks.sold_discount_eur', 'category_weeks.sold_gross_eur') }} as discount_depth,
        category_weeks.campaign_sales_eur,
        {{ kpi_share('category_weeks.campaign_sales_eur', 'category_weeks.sales_eur') }} as campaign_sales_share
    from category_weeks
    inner join categories
        on category_weeks.category_key = categories.category_key
    inner join retailer_weeks
        on
            category_weeks.retailer = retailer_weeks.retailer
            and category_weeks.week_start = retailer_weeks.week_start
)

select * from final
