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

{#- ---- counts of transactions and shoppers ---- -#}

{#- Every count is taken in two steps, with no distinct count. DuckDB computes each distinct count of a group-by
    that also sums as a group-by of its own, over a copy of every line, then joins them back (kpi_brand_weekly
    at 100M lines: 150 s of CPU, 56 s of it the copy; 63 s in two steps). Step 1 groups the lines by the
    mart's keys and transaction_id (for baskets) or shopper_key (for buyers and active shoppers), with the
    flags below; step 2 counts those rows by the mart's keys. A null transaction_id or shopper_key is not
    counted, as in a distinct count, but its lines keep their group in step 1 (a week of anonymous lines still
    has its row, with 0 buyers). -#}

{#- step 1: the transaction (or shopper) has a line with units > 0 -#}
{% macro kpi_has_sold_line() -%}
    max(case when units > 0 then 1 else 0 end)
{%- endmacro %}

{#- step 1: the transaction has a line with units > 0 and an identified shopper -#}
{% macro kpi_has_identified_sold_line() -%}
    max(case when units > 0 and shopper_key is not null then 1 else 0 end)
{%- endmacro %}

{#- baskets = transactions holding at least one line with units > 0 (step 2, over transactions) -#}
{% macro kpi_baskets() -%}
    count(case when has_sold_line = 1 then transaction_id end)
{%- endmacro %}

{#- identified_baskets = baskets of identified shoppers (step 2, over transactions) -#}
{% macro kpi_identified_baskets() -%}
    count(case when has_identified_sold_line = 1 then transaction_id end)
{%- endmacro %}

{#- buyers = identified shoppers with at least one basket (step 2, over shoppers) -#}
{% macro kpi_buyers() -%}
    count(case when has_sold_line = 1 then shopper_key end)
{%- endmacro %}

{#- active_shoppers = identified shoppers with any transaction, returns included (step 2, over shoppers) -#}
{% macro kpi_active_shoppers() -%}
    count(shopper_key)
{%- endmacro %}

{#- baskets, identified_baskets, buyers and active_shoppers of the lines of `lines` (a CTE with the columns of
    fct_sales_lines) by `group_columns`, in the two steps above: a subquery with one row per group. The group
    columns are joined by equality, so a group with a null key has no row (the marts drop those groups). -#}
{% macro kpi_counts(lines, group_columns) -%}
    {%- set groups = group_columns | join(', ') -%}
    select
        {%- for column in group_columns %}
        transaction_counts.{{ column }},
        {%- endfor %}
        transaction_counts.baskets,
        transaction_counts.identified_baskets,
        shopper_counts.buyers,
        shopper_counts.active_shoppers
    from (
        select
            {{ groups }},
            {{ kpi_baskets() }} as baskets,
            {{ kpi_identified_baskets() }} as identified_baskets
        from (
            select
                {{ groups }},
                transaction_id,
                {{ kpi_has_sold_line() }} as has_sold_line,
                {{ kpi_has_identified_sold_line() }} as has_identified_sold_line
            from {{ lines }}
            group by {{ groups }}, transaction_id
        ) as transactions
        group by {{ groups }}
    ) as transaction_counts
    inner join (
        select
            {{ groups }},
            {{ kpi_buyers() }} as buyers,
            {{ kpi_active_shoppers() }} as active_shoppers
        from (
            select
                {{ groups }},
                shopper_key,
                {{ kpi_has_sold_line() }} as has_sold_line
            from {{ lines }}
            group by {{ groups }}, shopper_key
        ) as shoppers
        group by {{ groups }}
    ) as shopper_counts
        on
            {%- for column in group_columns %}
            {{ 'and ' if not loop.first }}transaction_counts.{{ column }} = shopper_counts.{{ column }}
            {%- endfor %}
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
