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

stores as (
    select * from {{ ref('dim_stores') }}
),

departements as (
    select * from {{ ref('kpi_french_departements') }}
),

store_regions as (
    -- each store with its French region, from the département of its postal code
    select
        stores.store_code,
        stores.format as store_format,
        coalesce(
            departements.region_code,
            case when stores.format = 'online' then 'ONLINE' else 'UNKNOWN' end
        ) as region_code,
        coalesce(
            departements.region_name,
            case when stores.format = 'online' then 'Online' else 'Unknown' end
        ) as region_name
    from stores
    left join departements
        on {{ kpi_departement_code('stores.postal_code') }} = departements.departement_code
),

-- each store with an integer key of its segment (equal keys <=> equal format and region): the lines are
-- grouped by it and the names joined back after aggregating
store_segments as (
    select
        store_code,
        store_format,
        region_code,
        region_name,
        dense_rank() over (order by store_format, region_code, region_name) as segment_key
    from store_regions
),

segments as (
    select distinct
        segment_key,
        store_format,
        region_code,
        region_name
    from store_segments
),

segment_lines as {{ inline_cte_unless_incremental() }} (
    select
        sales_lines.retailer,
        sales_lines.store_code,
        sales_lines.transaction_id,
        sales_lines.shopper_key,
        sales_lines.units,
        sales_lines.net_amount_eur,
        sales_lines.discount_eur,
        sales_lines.is_promo,
        sales_lines.campaign_id,
        store_segments.segment_key,
        {{ kpi_week_start('sales_lines.business_date') }} as week_start
    from sales_lines
    inner join store_segments
        on sales_lines.store_code = store_segments.store_code
),

-- the sums, the stores and the counts each in group-bys of their own (kpi_counts, macros/kpi/kpi_formulas.sql)
segment_sums as (
    select
        retailer,
        segment_key,
        week_start,
        {{ kpi_sales_eur() }} as sales_eur,
        {{ kpi_units() }} as units,
        {{ kpi_identified_sales_eur() }} as identified_sales_eur,
        {{ kpi_promo_sales_eur() }} as promo_sales_eur,
        {{ kpi_campaign_sales_eur() }} as campaign_sales_eur,
        {{ kpi_sold_discount_eur() }} as sold_discount_eur,
        {{ kpi_sold_gross_eur() }} as sold_gross_eur
    from segment_lines
    group by retailer, segment_key, week_start
),

segment_stores as (
    select
        retailer,
        segment_key,
        week_start,
        count(distinct store_code) as selling_stores
    from segment_lines
    group by retailer, segment_key, week_start
),

segment_counts as (
    {{ kpi_counts('segment_lines', ['retailer', 'segment_key', 'week_start']) }}
),

segment_weeks as (
    select
        segment_sums.retailer,
        segment_sums.segment_key,
        segment_sums.week_start,
        segment_stores.selling_stores,
        segment_sums.sales_eur,
        segment_sums.units,
        segment_counts.baskets,
        segment_counts.identified_baskets,
        segment_counts.buyers,
        segment_counts.active_shoppers,
        segment_sums.identified_sales_eur,
        segment_sums.promo_sales_eur,
        segment_sums.campaign_sales_eur,
        segment_sums.sold_discount_eur,
        segment_sums.sold_gross_eur
    from segment_sums
    inner join segment_stores
        on
            segment_sums.retailer = segment_stores.retailer
            and segment_sums.segment_key = segment_stores.segment_key
            and segment_sums.week_start = segment_stores.week_start
    inner join segment_counts
        on
            segment_sums.retailer = segment_counts.retailer
            and segment_sums.segment_key = segment_counts.segment_key
            and segment_sums.week_start = segment_counts.week_start
),

named_segment_weeks as (
    select
        segment_weeks.retailer,
        segments.store_format,
        segments.region_code,
        segments.region_name,
        segment_weeks.week_start,
        segment_weeks.selling_stores,
        segment_weeks.sales_eur,
        segment_weeks.units,
        segment_weeks.baskets,
        segment_weeks.identified_baskets,
        segment_weeks.buyers,
        segment_weeks.active_shoppers,
        segment_weeks.identified_sales_eur,
        segment_weeks.promo_sales_eur,
        segment_weeks.campaign_sales_eur,
        segment_weeks.sold_discount_eur,
        segment_weeks.sold_gross_eur
    from segment_weeks
    inner join segments
        on segment_weeks.segment_key = segments.segment_key
),

final as (
    select
        retailer,
        store_format,
        region_code,
        region_name,
        {{ kpi_iso_year('week_start') }} as iso_year,
        {{ kpi_iso_week('week_start') }} as iso_week,
        week_start,
        selling_stores,
        sales_eur,
        units,
        baskets,
        identified_baskets,
        buyers,
        active_shoppers,
        {{ kpi_safe_divide('sales_eur', 'selling_stores') }} as sales_per_store,
        {{ kpi_safe_divide('sales_eur', 'baskets') }} as sales_per_basket,
        {{ kpi_share('identified_baskets', 'baskets') }} as identified_basket_share,
        {{ kpi_frequency('identified_baskets', 'buyers') }} as frequency,
        {{ kpi_spend_per_buyer('identified_sales_eur', 'buyers') }} as spend_per_buyer,
        {{ kpi_share('promo_sales_eur', 'sales_eur') }} as promo_sales_share,
        {{ kpi_discount_depth('sold_discount_eur', 'sold_gross_eur') }} as discount_depth,
        {{ kpi_share('campaign_sales_eur', 'sales_eur') }} as campaign_sales_share
    from named_segment_weeks
)

select * from final
