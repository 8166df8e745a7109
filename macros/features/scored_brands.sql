{#- The brands scored by the brand features: those of planned campaigns and the dbt var `score_brands`, once each. -#}
{% macro scored_brands(campaigns) -%}
    select distinct brand
    from (
        select brand
        from {{ campaigns }}
        where campaign_status = 'planned'
        {%- for brand in var('score_brands', []) %}
            union all
            select '{{ brand | trim | upper }}' as brand
        {%- endfor %}
    ) as brands
{%- endmacro %}
