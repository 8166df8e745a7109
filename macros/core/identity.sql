{#- Shopper identity (LANDING_ZONE.md "Identity"): shopper_key = md5(salt || retailer || ':' || customer_ref). -#}

{#- customer_ref as the contract reads it: trimmed text; ALPHA card numbers keep all 13 digits (zeros
    restored when a digits-only ref lost them); GAMMA member ids in plain decimal ("42", never "42.0").
    Empty = null (anonymous). `retailer` is a literal: 'ALPHA', 'BETA' or 'GAMMA'. -#}
{% macro normalise_customer_ref(retailer, expression) -%}
    {%- set trimmed = trim_text(expression) -%}
    {%- if retailer == 'ALPHA' -%}
    case
        when {{ matches_regex(trimmed, '^[0-9]{1,13}$') }} then {{ left_pad_digits(trimmed, 13) }}
        else nullif({{ trimmed }}, '')
    end
    {%- elif retailer == 'GAMMA' -%}
    coalesce(
        {{ try_cast_as(try_cast_as(try_cast_as(trimmed, "double"), "bigint"), dbt.type_string()) }},
        nullif({{ trimmed }}, '')
    )
    {%- else -%}
    nullif({{ trimmed }}, '')
    {%- endif -%}
{%- endmacro %}

{#- customer_ref normalised for a retailer held in a column (CSV files listing all retailers). -#}
{% macro normalise_customer_ref_by_column(retailer_expression, expression) -%}
    case upper(trim({{ retailer_expression }}))
        when 'ALPHA' then {{ normalise_customer_ref('ALPHA', expression) }}
        when 'GAMMA' then {{ normalise_customer_ref('GAMMA', expression) }}
        else {{ normalise_customer_ref('BETA', expression) }}
    end
{%- endmacro %}

{#- md5 shopper key of a (retailer, normalised customer_ref); null when the ref is null (anonymous). -#}
{% macro shopper_key(retailer_expression, customer_ref_expression) -%}
    {%- set salt = var('key_salt', '') | string -%}
    case
        when {{ customer_ref_expression }} is not null
            then {{ dbt.hash(dbt.concat(["'" ~ salt | replace("'", "''") ~ "'", retailer_expression, "':'", customer_ref_expression])) }}
    end
{%- endmacro %}
