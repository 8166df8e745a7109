{#- Money arithmetic of a sale line, exact in decimals; DuckDB-only syntax stays behind adapter.dispatch. -#}

{#- net amount = quantity * unit price - discount, rounded half away from zero to decimal(18, 6); null when it
    does not fit decimal(18, 6) (an invalid_amount, never a failed build). `quantity` is a whole number or a
    decimal(18, 6), `unit_price` and `discount` decimal(18, 6) expressions (discount never null). -#}
{% macro line_net_amount(quantity, unit_price, discount) -%}
    {{ return(adapter.dispatch('line_net_amount', 'promo_factory')(quantity, unit_price, discount)) }}
{%- endmacro %}

{#- DuckDB types decimal(18, 6) * decimal(18, 6) as decimal(18, 12): a product of 9.3 million or more fails
    the query with an overflow, so the general case widens the operands to decimal(38, 6) first. That path
    computes in 128-bit integers, and its division back to six decimals costs ~0.8 us per value (a third of
    the staging of a line). Retail lines are small: when |quantity| and |unit price| are below 300 and the
    discount below 90 000, the exact difference fits decimal(18, 12) in 64-bit integers, and the same
    rounding to six decimals costs a tenth of it. Both branches compute the same exact value and round once. -#}
{% macro duckdb__line_net_amount(quantity, unit_price, discount) -%}
    case
        when abs({{ quantity }}) < 300 and abs({{ unit_price }}) < 300 and abs({{ discount }}) < 90000
            then cast(
                cast({{ quantity }} * {{ unit_price }} as decimal(17, 12)) - cast({{ discount }} as decimal(17, 12))
                as decimal(18, 6)
            )
        else try_cast(
            cast({{ quantity }} as decimal(38, 6)) * cast({{ unit_price }} as decimal(38, 6)) - {{ discount }}
            as decimal(18, 6)
        )
    end
{%- endmacro %}

{#- Spark types decimal(18, 6) * decimal(18, 6) as decimal(37, 12), exact, and (without ANSI mode) a cast that
    overflows yields null. -#}
{% macro default__line_net_amount(quantity, unit_price, discount) -%}
    {{ try_cast_as(quantity ~ ' * ' ~ unit_price ~ ' - ' ~ discount, 'decimal(18, 6)') }}
{%- endmacro %}
