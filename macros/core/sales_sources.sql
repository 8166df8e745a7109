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
