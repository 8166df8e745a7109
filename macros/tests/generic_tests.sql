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

{#- Combinations of columns that appear more than once. Two passes: the 64-bit hashes that occur more than once
    (macros/core/combination_hash.sql: an 8-byte key instead of the columns), then the exact check of the rows with
    one of those hashes (nearly always none). A repeated combination always repeats its hash, so nothing is missed;
    two combinations sharing a hash only cost the second pass a few rows. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set combination = combination_of_columns | join(', ') %}
    {#- one query without a WITH clause, so that a test can embed it (tests/dbt/macros) #}
    select
        {{ combination }},
        count(*) as n_rows
    from {{ model }}
    where {{ combination_hash(combination_of_columns) }} in (
        {{ repeated_combination_hashes(model, combination_of_columns) }}
    )
    group by {{ combination }}
    having count(*) > 1
{% endtest %}

{#- Reconciliation identity: rows_read = rows_loaded + rows_excluded + rows_quarantined, for every row. -#}
{% test reconciliation_balances(model) %}
    select *
    from {{ model }}
    where rows_read <> rows_loaded + rows_excluded + rows_quarantined
{% endtest %}
