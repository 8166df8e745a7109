{#- French département of a postal code: the first two digits, except Corsica
    (200xx-201xx = 2A, 202xx-206xx = 2B) and overseas (97x, 98x: three digits).
    Postal codes that lost their leading zero are padded back to 5 digits. -#}
{% macro kpi_departement_code(postal_code) -%}
    case
        when nullif(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), '') is null then null
        when substring(lpad(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), 5, '0'), 1, 3) in ('200', '201')
            then '2A'
        when substring(lpad(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), 5, '0'), 1, 2) = '20'
            then '2B'
        when substring(lpad(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), 5, '0'), 1, 2) in ('97', '98')
            then substring(lpad(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), 5, '0'), 1, 3)
        else substring(lpad(trim(cast({{ postal_code }} as {{ dbt.type_string() }})), 5, '0'), 1, 2)
    end
{%- endmacro %}
