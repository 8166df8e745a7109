{#- Every KPI formula of the kpi marts, defined once. The aggregate macros
    expect the columns of fct_sales_lines (units, net_amount_eur,
    discount_eur, is_promo, campaign_id, transaction_id, shopper_key). -#}

{#- Ratios are stored as double precision (dbt.type_float() is a 4-byte float on DuckDB). -#}
{% macro kpi_type_ratio() -%}
    {{ return(adapter.dispatch('kpi_type_ratio', 'promo_factory')()) }}
{%- endmacro %}

{% macro default__kpi_type_ratio() -%}
    double
{%- endmacro %}

{% macro postgres__kpi_type_ratio() -%}
    double precision
{%- endmacro %}

{#- numerator / denominator as a double; null when the denominator is 0 or null. -#}
{% macro kpi_safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ kpi_type_ratio() }}) / cast({{ denominator }} as {{ kpi_type_ratio() }})
    end
{%- endmacro %}

{#- ---- additive measures over lines (returns count negative) ---- -#}

{#- sales_eur = sum(net_amount_eur) -#}
{% macro kpi_sales_eur() -%}
    sum(net_amount_eur)
{%- endmacro %}

{#- units = sum(units), as a bigint (DuckDB sums integers into a 128-bit integer) -#}
{% macro kpi_units() -%}
    cast(sum(units) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- identified_sales_eur = sum(net_amount_eur) of lines with a shopper_key -#}
{% macro kpi_identified_sales_eur() -%}
    sum(case when shopper_key is not null then net_amount_eur else 0 end)
{%- endmacro %}

{#- promo_sales_eur = sum(net_amount_eur) of lines with is_promo -#}
{% macro kpi_promo_sales_eur() -%}
    sum(case when is_promo then net_amount_eur else 0 end)
{%- endmacro %}

{#- promo_units = sum(units) of lines with is_promo -#}
{% macro kpi_promo_units() -%}
    cast(sum(case when is_promo then units else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- campaign_sales_eur = sum(net_amount_eur) of lines carrying a campaign code -#}
{% macro kpi_campaign_sales_eur() -%}
    sum(case when campaign_id is not null then net_amount_eur else 0 end)
{%- endmacro %}

{#- sold_discount_eur = sum(discount_eur) of sold lines (units > 0): a return's discount is not a discount given -#}
{% macro kpi_sold_discount_eur() -%}
    sum(case when units > 0 then discount_eur else 0 end)
{%- endmacro %}

{#- sold_gross_eur = sum(net_amount_eur + discount_eur) of sold lines (units > 0) -#}
{% macro kpi_sold_gross_eur() -%}
    sum(case when units > 0 then net_amount_eur + discount_eur else 0 end)
{%- endmacro %}

{#- ---- distinct counts ---- -#}

{#- baskets = transactions holding at least one line with units > 0 -#}
{% macro kpi_baskets() -%}
    count(distinct case when units > 0 then transaction_id end)
{%- endmacro %}

{#- identified_baskets = baskets of identified shoppers -#}
{% macro kpi_identified_baskets() -%}
    count(distinct case when units > 0 and shopper_key is not null then transaction_id end)
{%- endmacro %}

{#- buyers = identified shoppers with at least one basket (a line with units > 0) -#}
{% macro kpi_buyers() -%}
    count(distinct case when units > 0 then shopper_key end)
{%- endmacro %}

{#- active_shoppers = identified shoppers with any transaction (any line, returns included) -#}
{% macro kpi_active_shoppers() -%}
    count(distinct shopper_key)
{%- endmacro %}

{#- ---- ratios ---- -#}

{#- penetration = buyers / active_shoppers -#}
{% macro kpi_penetration(buyers, active_shoppers) -%}
    {{ kpi_safe_divide(buyers, active_shoppers) }}
{%- endmacro %}

{#- frequency = baskets of identified shoppers / buyers -#}
{% macro kpi_frequency(identified_baskets, buyers) -%}
    {{ kpi_safe_divide(identified_baskets, buyers) }}
{%- endmacro %}

{#- spend_per_buyer = sales_eur of identified shoppers' lines / buyers -#}
{% macro kpi_spend_per_buyer(identified_sales_eur, buyers) -%}
    {{ kpi_safe_divide(identified_sales_eur, buyers) }}
{%- endmacro %}

{#- share = part / whole (promo sales share, value share, volume share, campaign share...) -#}
{% macro kpi_share(part, whole) -%}
    {{ kpi_safe_divide(part, whole) }}
{%- endmacro %}

{#- discount_depth = discount / (net + discount), over sold lines -#}
{% macro kpi_discount_depth(sold_discount_eur, sold_gross_eur) -%}
    {{ kpi_safe_divide(sold_discount_eur, sold_gross_eur) }}
{%- endmacro %}
