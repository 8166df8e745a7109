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
