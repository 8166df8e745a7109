{#- Portable aggregates; adapter-specific syntax stays behind adapter.dispatch. -#}

{#- String aggregation in a fixed order: the values of `measure` joined by `delimiter_text` (a SQL literal),
    sorted by `order_expression`; null when every value is null. dbt.listagg ignores the order on Spark
    (dbt-spark: "order_by_clause is not supported"), which would make the result depend on the plan. -#}
{% macro sorted_listagg(measure, delimiter_text, order_expression) -%}
    {{ return(adapter.dispatch('sorted_listagg', 'promo_factory')(measure, delimiter_text, order_expression)) }}
{%- endmacro %}

{% macro default__sorted_listagg(measure, delimiter_text, order_expression) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ order_expression) }}
{%- endmacro %}

{#- Spark: sort the (order key, value) pairs of collect_list, then join the values (nulls skipped). -#}
{% macro spark__sorted_listagg(measure, delimiter_text, order_expression) -%}
    case
        when count({{ measure }}) > 0
            then array_join(
                transform(
                    array_sort(collect_list(named_struct('sort_key', {{ order_expression }}, 'value', {{ measure }}))),
                    pair -> pair.value
                ),
                {{ delimiter_text }}
            )
    end
{%- endmacro %}

{#- The value of `measure` on the row that sorts first by `order_expressions` (a list of SQL expressions,
    ascending; negate a number to sort it descending; the last one must make the order total, and none may be
    null); a null `measure` on that row is the result. One aggregate instead of a row_number() window and a
    filter: the window sorts every row of every group, the aggregate keeps one candidate per group. -#}
{% macro first_by_order(measure, order_expressions) -%}
    {{ return(adapter.dispatch('first_by_order', 'promo_factory')(measure, order_expressions)) }}
{%- endmacro %}

{% macro default__first_by_order(measure, order_expressions) -%}
    min_by({{ measure }}, struct({{ order_expressions | join(', ') }}))
{%- endmacro %}

{#- DuckDB's arg_min skips the rows whose measure is null; arg_min_null does not, like Spark's min_by. -#}
{% macro duckdb__first_by_order(measure, order_expressions) -%}
    arg_min_null({{ measure }}, row({{ order_expressions | join(', ') }}))
{%- endmacro %}
