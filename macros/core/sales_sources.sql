{#- The sale sources: retailer code, source name (the dq marts, docs/CONVENTIONS.md) and staging model. The
    union branches of int_core__sales_records, which differ in shape, name their retailer themselves. -#}
{% macro sales_sources() -%}
    {{ return([
        {'retailer': 'ALPHA', 'source': 'alpha_receipts', 'staging_model': 'stg_alpha__receipt_lines'},
        {'retailer': 'BETA', 'source': 'beta_orders', 'staging_model': 'stg_beta__order_items'},
        {'retailer': 'GAMMA', 'source': 'gamma_transactions', 'staging_model': 'stg_gamma__transaction_lines'},
    ]) }}
{%- endmacro %}

{#- The source name of a sale record's retailer code. -#}
{% macro sale_source(retailer_column) -%}
    case {{ retailer_column }}
        {%- for sale_source in sales_sources() %}
        when '{{ sale_source.retailer }}' then '{{ sale_source.source }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The outcome of a sale record of int_core__sales_records, from its reason (docs/CONVENTIONS.md): loaded without a
    reason, excluded for the four reasons below, quarantined for any other. The table stores the reason alone. -#}
{% macro sales_record_outcome(reason_column) -%}
    case
        when {{ is_loaded_sales_record(reason_column) }} then 'loaded'
        when {{ reason_column }} in ('superseded_version', 'duplicate_record', 'order_not_delivered', 'erased_shopper')
            then 'excluded'
        else 'quarantined'
    end
{%- endmacro %}

{#- The condition of a loaded sale record (its outcome is `loaded`). -#}
{% macro is_loaded_sales_record(reason_column='reason') -%}
    {{ reason_column }} is null
{%- endmacro %}
