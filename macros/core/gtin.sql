{#- GTIN rules of docs/CONVENTIONS.md: strip spaces, 1-14 digits, left-pad to 14, GS1 check digit. -#}

{#- The GTIN-14 text of a raw GTIN (spaces stripped, left-padded with zeros), or null when it is not 1-14 digits. -#}
{% macro gtin_to_14(expression) -%}
    case
        when {{ matches_regex("replace(" ~ expression ~ ", ' ', '')", '^[0-9]{1,14}$') }}
            then lpad(replace({{ expression }}, ' ', ''), 14, '0')
    end
{%- endmacro %}

{#- GS1 check digit computed from the 13 leading digits of a GTIN-14 text (weights 3,1,3,... from the right). -#}
{% macro gtin14_check_digit(gtin14) -%}
    mod(10 - mod(
        {%- for position in range(1, 14) %}
        {{ '+ ' if not loop.first }}cast(substr({{ gtin14 }}, {{ position }}, 1) as integer) * {{ 3 if position % 2 == 1 else 1 }}
        {%- endfor %}
        , 10), 10)
{%- endmacro %}

{#- True when a GTIN-14 text (output of gtin_to_14) has a valid check digit; false when null. -#}
{% macro is_valid_gtin14(gtin14) -%}
    coalesce(
        {{ gtin14 }} is not null
        and cast(substr({{ gtin14 }}, 14, 1) as integer) = {{ gtin14_check_digit(gtin14) }},
        false
    )
{%- endmacro %}
