{#- int_shopper_features is incremental by as-of date on DuckDB (a full rebuild elsewhere, like the core models:
    macros/landing/incremental.sql). Its rows of as-of date D depend only on the sale lines with a business date in
    [window_start_date, D), with their products and stores; a change of a product or a store puts every transaction
    in int_core__changed_transactions. So an incremental run deletes the as-of dates that left
    int_feature_as_of_dates and those whose window holds a business date of a changed transaction (before or after
    the change), then computes every as-of date the table does not hold: the deleted ones and the new ones (the
    scoring date moves with the last business date; the default training grid moves with it too, the grid
    anchored on the history start adds a date every 28 days: int_feature_as_of_dates). -#}
{% macro delete_changed_as_of_dates(as_of_dates, changed_transactions) -%}
    {%- call incremental_delete() -%}
        as_of_date not in (select as_of_date from {{ as_of_dates }})
        or as_of_date in ({{ as_of_dates_with_changed_windows(as_of_dates, changed_transactions) }})
    {%- endcall -%}
{%- endmacro %}

{#- The as-of dates whose window [window_start_date, as_of_date) holds a business date of a changed transaction. -#}
{% macro as_of_dates_with_changed_windows(as_of_dates, changed_transactions) -%}
    select as_of_dates.as_of_date
    from {{ as_of_dates }} as as_of_dates
    inner join {{ changed_transactions }} as changed_transactions
        on
            changed_transactions.business_date >= as_of_dates.window_start_date
            and changed_transactions.business_date < as_of_dates.as_of_date
{%- endmacro %}

{#- int_shopper_brand_features is incremental by (as-of date, brand) on DuckDB: the rows of one pair depend only on the
    sale lines of the brand's categories in the date's window, with their products, and on int_shopper_features at
    that date (recomputed under the same rule). So an incremental run deletes the pairs whose date is no longer a
    feature date (training grid or scoring date), whose brand is no longer scored, or whose window holds a business
    date of a changed transaction, then computes every pair of a feature date and a scored brand that the table does
    not hold (missing_as_of_dates_filter on both keys). -#}
{% macro delete_changed_brand_as_of_dates(as_of_dates, campaigns, changed_transactions) -%}
    {%- call incremental_delete() -%}
        as_of_date not in (
            select as_of_date from {{ as_of_dates }}
            where is_training_grid or is_scoring_date
        )
        or brand not in (
            select brand from ({{ scored_brands(campaigns) }}) as scored_brands
            where brand is not null
        )
        or as_of_date in ({{ as_of_dates_with_changed_windows(as_of_dates, changed_transactions) }})
    {%- endcall -%}
{%- endmacro %}

{#- Filter of the as-of dates to compute: in an incremental run, those whose key (the as-of date, or e.g. the as-of
    date and the brand) the table does not hold. -#}
{% macro missing_as_of_dates_filter(keys=['as_of_date']) -%}
    {%- if core_is_incremental_run() -%}
        {%- set key_list = keys | join(', ') -%}
        where ({{ key_list }}) not in (select distinct {{ key_list }} from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#- The day tables under int_shopper_features (int_shopper_store_days, int_shopper_category_days) are incremental by
    business date on DuckDB: a row of day D depends only on the sale lines of day D (the category prices of that day
    included), with their products. So an incremental run deletes the business dates of the changed transactions
    (before and after the change) and computes them again from their lines. -#}
{% macro delete_changed_business_dates(changed_transactions) -%}
    {%- call incremental_delete() -%}
        {{ changed_business_dates_condition(changed_transactions) }}
    {%- endcall -%}
{%- endmacro %}

{#- Filter of the sale lines of a day table: in an incremental run, the lines of the changed business dates only. -#}
{% macro changed_business_dates_filter(changed_transactions) -%}
    {%- if core_is_incremental_run() -%}
        where {{ changed_business_dates_condition(changed_transactions) }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of the business dates of the changed transactions: what a day table's incremental run deletes, computes
    and checks again. -#}
{% macro changed_business_dates_condition(changed_transactions) -%}
    business_date in (select business_date from {{ changed_transactions }})
{%- endmacro %}

{#- int_shopper_campaign_features is incremental by campaign on DuckDB: the rows of a campaign depend only on its scope
    (brand, category_l2 and retailers: campaign_scope, stored with its rows), on the sale lines of its window
    [window_start_date, start_date) with their products, and on int_shopper_features at its start date (recomputed
    under the same rule). So an incremental run deletes the campaigns whose start date is no longer an as-of date,
    whose scope changed or whose window holds a business date of a changed transaction, then computes the campaigns
    the table does not hold (missing_as_of_dates_filter): in a daily run the planned campaigns, whose windows hold
    the new day, and not the past ones. -#}
{% macro delete_changed_campaigns(campaigns, as_of_dates, changed_transactions) -%}
    {%- call incremental_delete() -%}
        (campaign_id, as_of_date, campaign_scope) not in (
            select
                campaign_id,
                start_date,
                campaign_scope
            from ({{ campaign_feature_windows(campaigns, as_of_dates) }}) as campaign_windows
            where campaign_id is not null
        )
        or as_of_date in ({{ as_of_dates_with_changed_windows(as_of_dates, changed_transactions) }})
    {%- endcall -%}
{%- endmacro %}

{#- The campaigns whose start date is an as-of date, with their feature windows and scope (brand|category_l2|retailers,
    as delivered). -#}
{% macro campaign_feature_windows(campaigns, as_of_dates) -%}
    select
        campaigns.campaign_id,
        campaigns.brand,
        campaigns.category_l2 as scope_category_l2,
        campaigns.start_date,
        as_of_dates.as_of_date,
        as_of_dates.window_start_date,
        as_of_dates.status_start_date,
        {{ dbt.concat([
            "coalesce(campaigns.brand, '')", "'|'", "coalesce(campaigns.category_l2, '')", "'|'",
            "coalesce(campaigns.retailers, '')",
        ]) }} as campaign_scope
    from {{ campaigns }} as campaigns
    inner join {{ as_of_dates }} as as_of_dates
        on campaigns.start_date = as_of_dates.as_of_date
{%- endmacro %}
