{{ config(enabled=target.type == 'duckdb') }}
-- line_net_amount (macros/core/amounts.sql): DuckDB's fast path (64-bit decimals for small quantities and
-- prices) gives the same value as the exact 128-bit computation, on both sides of its bounds, for halves
-- that round away from zero, for whole-number quantities, and null (never an error) beyond decimal(18, 6).

with

quantities as (
    select cast(quantity_values.quantity_value as decimal(18, 6)) as quantity
    from (
        values
        ('0'), ('1'), ('-1'), ('2.5'), ('0.000005'), ('-0.000005'), ('299.999999'), ('-299.999999'),
        ('300'), ('-300'), ('1000000'), ('99999999.5'), ('2000000000'), ('999999999999.999999')
    ) as quantity_values (quantity_value)
),

prices as (
    select cast(price_values.price_value as decimal(18, 6)) as unit_price
    from (
        values
        ('0.000001'), ('0.1'), ('0.5'), ('1.99'), ('299.999999'), ('300'), ('-2.5'), ('99999.99'),
        ('999999999999.999999')
    ) as price_values (price_value)
),

discounts as (
    select cast(discount_values.discount_value as decimal(18, 6)) as discount
    from (
        values ('0'), ('0.000001'), ('0.5'), ('89999.999999'), ('90000'), ('1000000000')
    ) as discount_values (discount_value)
),

whole_quantities as (
    select cast(quantity_values.quantity_value as integer) as quantity
    from (values (0), (1), (-3), (299), (300), (2000000000)) as quantity_values (quantity_value)
),

decimal_cases as (
    select
        quantities.quantity,
        prices.unit_price,
        discounts.discount,
        {{ line_net_amount('quantities.quantity', 'prices.unit_price', 'discounts.discount') }} as actual,
        try_cast(
            cast(quantities.quantity as decimal(38, 6)) * prices.unit_price - discounts.discount as decimal(18, 6)
        ) as expected
    from quantities
    cross join prices
    cross join discounts
),

whole_cases as (
    select
        cast(whole_quantities.quantity as decimal(18, 6)) as quantity,
        prices.unit_price,
        discounts.discount,
        {{ line_net_amount('whole_quantities.quantity', 'prices.unit_price', 'discounts.discount') }} as actual,
        try_cast(
            cast(whole_quantities.quantity as decimal(38, 6)) * prices.unit_price - discounts.discount
            as decimal(18, 6)
        ) as expected
    from whole_quantities
    cross join prices
    cross join discounts
),

half_cases as (
    -- 0.0000005 rounds to 0.000001 and -0.0000005 to -0.000001 (half away from zero)
    select
        cast(0.000005 as decimal(18, 6)) as quantity,
        cast(0.1 as decimal(18, 6)) as unit_price,
        cast(halves.discount_value as decimal(18, 6)) as discount,
        {{ line_net_amount(
            'cast(0.000005 as decimal(18, 6))', 'cast(0.1 as decimal(18, 6))',
            'cast(halves.discount_value as decimal(18, 6))'
        ) }} as actual,
        cast(halves.expected_value as decimal(18, 6)) as expected
    from (values ('0', '0.000001'), ('0.000001', '-0.000001')) as halves (discount_value, expected_value)
),

all_cases as (
    select
        quantity,
        unit_price,
        discount,
        actual,
        expected
    from decimal_cases
    union all
    select
        quantity,
        unit_price,
        discount,
        actual,
        expected
    from whole_cases
    union all
    select
        quantity,
        unit_price,
        discount,
        actual,
        expected
    from half_cases
),

final as (
    select
        quantity,
        unit_price,
        discount,
        actual,
        expected
    from all_cases
    where actual is distinct from expected
)

select * from final
