-- depends_on: {{ ref('int_core__changed_transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_campaigns(
        ref('dim_campaigns'), ref('int_feature_as_of_dates'), ref('int_core__changed_transactions')
    ) }}",
) }}
-- One row per campaign x eligible shopper, as of the campaign's start_date:
-- an identified shopper of one of its retailers with a sale line there in the
-- 365 days before start_date. Scope-relative features: the scope is the
-- campaign's brand (and category_l2 when set); its categories are that
-- category_l2, or the category_l2 values of the brand's products.
-- Scope status (56-day recent window): loyal = 3+ in-scope purchase lines
-- recently, active = 1-2, lapsed = none recently but some earlier,
-- category_buyer = none but lines in the scope's categories, never otherwise.
-- Incremental on DuckDB (macros/features/feature_incremental.sql): a run computes only the campaigns it does not
-- hold, after deleting those whose scope changed or whose window holds a changed transaction (a daily run: the
-- planned campaigns; rebuilding every campaign was 6 s at the end of the 100M incremental day).

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

campaign_retailers as (
    select * from {{ ref('int_campaign_retailers') }}
),

as_of_dates as (
    select * from {{ ref('int_feature_as_of_dates') }}
),

shopper_features as (
    select * from {{ ref('int_shopper_features') }}
),

scope_categories as (
    select distinct
        campaigns.campaign_id,
        products.category_l2
    from campaigns
    inner join products
        on campaigns.brand = products.brand
    where campaigns.category_l2 is null or products.category_l2 = campaigns.category_l2
),

-- the campaigns to compute: all of them, or in an incremental run those the table does not hold
campaign_windows as (
    select * from ({{ campaign_feature_windows('campaigns', 'as_of_dates') }}) as campaign_windows
    {{ missing_as_of_dates_filter(['campaign_id', 'as_of_date']) }}
),

scope_lines as (
    select
        campaign_windows.campaign_id,
        sales_lines.shopper_key,
        sales_lines.retailer,
        sales_lines.transaction_id,
        sales_lines.business_date,
        sales_lines.units,
        sales_lines.net_amount_eur,
        sales_lines.is_promo,
        campaign_windows.status_start_date,
        products.brand = campaign_windows.brand as is_scope_line
    from sales_lines
    inner join products
        on sales_lines.gtin = products.gtin
    inner join scope_categories
        on products.category_l2 = scope_categories.category_l2
    inner join campaign_windows
        on scope_categories.campaign_id = campaign_windows.campaign_id
    inner join campaign_retailers
        on
            campaign_windows.campaign_id = campaign_retailers.campaign_id
            and sales_lines.retailer = campaign_retailers.retailer
    where
        sales_lines.shopper_key is not null
        and sales_lines.business_date < campaign_windows.start_date
        and sales_lines.business_date >= campaign_windows.window_start_date
),

scope_totals as (
    select
        campaign_id,
        shopper_key,
        retailer,
        sum(case when is_scope_line then net_amount_eur else 0 end) as scope_spend_365d_eur,
        sum(case when is_scope_line and business_date >= status_start_date then net_amount_eur else 0 end)
            as scope_spend_recent_eur,
        sum(case when is_scope_line and units > 0 then units else 0 end) as scope_units_365d,
        count(distinct case when is_scope_line and units > 0 then transaction_id end) as scope_baskets_365d,
        sum(case when is_scope_line and is_promo then net_amount_eur else 0 end) as scope_promo_spend_eur,
        sum(net_amount_eur) as category_spend_365d_eur,
        sum(case when units > 0 then 1 else 0 end) as category_lines_365d,
        max(case when is_scope_line and units > 0 then business_date end) as scope_last_purchase_date,
        sum(case when is_scope_line and units > 0 and business_date >= status_start_date then 1 else 0 end)
            as scope_lines_recent,
        sum(case when is_scope_line and units > 0 and business_date < status_start_date then 1 else 0 end)
            as scope_lines_earlier
    from scope_lines
    group by campaign_id, shopper_key, retailer
),

eligible as (
    select
        campaign_windows.campaign_id,
        campaign_windows.start_date,
        campaign_windows.campaign_scope,
        shopper_features.shopper_key,
        shopper_features.retailer,
        shopper_features.spend_365d_eur
    from campaign_windows
    inner join campaign_retailers
        on campaign_windows.campaign_id = campaign_retailers.campaign_id
    inner join shopper_features
        on
            campaign_windows.start_date = shopper_features.as_of_date
            and campaign_retailers.retailer = shopper_features.retailer
),

final as (
    select
        eligible.campaign_id,
        eligible.shopper_key,
        eligible.retailer,
        eligible.start_date as as_of_date,
        eligible.campaign_scope,
        coalesce(cast(scope_totals.scope_spend_365d_eur as double), 0) as brand_spend_365d_eur,
        coalesce(cast(scope_totals.scope_spend_recent_eur as double), 0) as scope_spend_recent_eur,
        coalesce(scope_totals.scope_units_365d, 0) as scope_units_365d,
        coalesce(scope_totals.category_lines_365d, 0) as category_lines_365d,
        coalesce(scope_totals.scope_lines_recent, 0) as brand_lines_recent,
        coalesce(scope_totals.scope_lines_earlier, 0) as brand_lines_earlier,
        coalesce(scope_totals.scope_baskets_365d, 0) as brand_baskets_365d,
        {{ dbt.datediff('scope_totals.scope_last_purchase_date', 'eligible.start_date', 'day') }}
            as brand_days_since_last_purchase,
        case
            when eligible.spend_365d_eur > 0
                then coalesce(cast(scope_totals.scope_spend_365d_eur as double), 0) / eligible.spend_365d_eur
            else 0
        end as brand_share_of_wallet,
        case
            when eligible.spend_365d_eur > 0
                then coalesce(cast(scope_totals.category_spend_365d_eur as double), 0) / eligible.spend_365d_eur
            else 0
        end as category_share_of_wallet,
        case
            when scope_totals.category_spend_365d_eur > 0
                then
                    cast(scope_totals.scope_spend_365d_eur as double)
                    / cast(scope_totals.category_spend_365d_eur as double)
            else 0
        end as brand_share_of_category,
        case
            when scope_totals.scope_spend_365d_eur > 0
                then
                    cast(scope_totals.scope_promo_spend_eur as double)
                    / cast(scope_totals.scope_spend_365d_eur as double)
            else 0
        end as brand_promo_share,
        case
            when scope_totals.scope_lines_recent >= 3 then 'loyal'
            when scope_totals.scope_lines_recent > 0 then 'active'
            when scope_totals.scope_lines_earlier > 0 then 'lapsed'
            when scope_totals.category_lines_365d > 0 then 'category_buyer'
            else 'never'
        end as brand_status
    from eligible
    left join scope_totals
        on
            eligible.campaign_id = scope_totals.campaign_id
            and eligible.shopper_key = scope_totals.shopper_key
            and eligible.retailer = scope_totals.retailer
)

select * from final
