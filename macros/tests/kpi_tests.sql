{#- Generic invariant tests of the KPI marts. Each returns the failing rows. -#}

{#- The column lies in [0, 1] (nulls allowed: zero denominators). -#}
{% test kpi_between_zero_and_one(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}

{#- column <= other_column on every row. -#}
{% test kpi_not_greater_than(model, column_name, other_column) %}
    select *
    from {{ model }}
    where {{ column_name }} > {{ other_column }}
{% endtest %}

{#- A share sums to 1 within each group (groups whose shares are all null are skipped). -#}
{% test kpi_sums_to_one(model, column_name, group_by, tolerance=0.000001) %}
    select
        {{ group_by | join(', ') }},
        sum({{ column_name }}) as total_share
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ group_by | join(', ') }}
    having abs(sum({{ column_name }}) - 1) > {{ tolerance }}
{% endtest %}

{#- A boolean expression holds on every row. -#}
{% test kpi_expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}

{#- The columns form a key of the model (the grain). -#}
{% test kpi_unique_combination(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as rows_per_key
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- The column sums to the same total as a column of another model (e.g. sales reconcile with fct_sales_lines). -#}
{% test kpi_total_matches(model, column_name, compare_model, compare_column, tolerance=0.000001) %}
    with

    model_total as (
        select coalesce(sum({{ column_name }}), 0) as total from {{ model }}
    ),

    compare_total as (
        select coalesce(sum({{ compare_column }}), 0) as total from {{ compare_model }}
    )

    select
        model_total.total as model_total,
        compare_total.total as compare_total
    from model_total
    cross join compare_total
    where abs(model_total.total - compare_total.total) > {{ tolerance }}
{% endtest %}
