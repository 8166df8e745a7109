{#- Generic data tests of the core marts (dbt has unique / not_null / accepted_values / relationships). -#}

{#- Every non-null value is a GTIN-14: 14 digits with a valid GS1 check digit. -#}
{% test is_valid_gtin14(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and not (
            {{ matches_regex(column_name, '^[0-9]{14}$') }}
            and {{ is_valid_gtin14(column_name) }}
        )
{% endtest %}

{#- Rows for which a boolean SQL expression is not true. -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}

{#- Combinations of columns that appear more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Reconciliation identity: rows_read = rows_loaded + rows_excluded + rows_quarantined, for every row. -#}
{% test reconciliation_balances(model) %}
    select *
    from {{ model }}
    where rows_read <> rows_loaded + rows_excluded + rows_quarantined
{% endtest %}
