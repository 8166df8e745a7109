{#- int_shopper_features is incremental by as-of date on DuckDB (materialisation: core_incremental_materialization).
    Features as of D read the sale lines with window_start_date <= business_date < D only, so the rows of D
    change only when a changed transaction has a business date in that window. The pre-hook deletes those
    dates and the dates that left int_feature_as_of_dates; the model then builds every as-of date it does
    not hold. In a daily run that is the new scoring date and the planned campaigns' start dates. -#}
{% macro delete_stale_feature_dates(as_of_dates, changed_transactions) -%}
    {%- if core_is_incremental_run() -%}
        delete from {{ this }}
        where
            as_of_date not in (select as_of_date from {{ as_of_dates }})
            or as_of_date in (
                select as_of_dates.as_of_date
                from {{ as_of_dates }} as as_of_dates
                inner join {{ changed_transactions }} as changed_transactions
                    on
                        changed_transactions.business_date >= as_of_dates.window_start_date
                        and changed_transactions.business_date < as_of_dates.as_of_date
            )
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- In an incremental run, the as-of dates the table does not hold (new, or deleted by the pre-hook). -#}
{% macro feature_dates_to_build_filter() -%}
    {%- if core_is_incremental_run() -%}
        where as_of_date not in (select distinct as_of_date from {{ this }})
    {%- endif -%}
{%- endmacro %}
