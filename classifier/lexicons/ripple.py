"""What a complaint is about: the concepts ripple detection groups paraphrases by.

A ripple is "the same complaint in other words": "me cobraron dos veces", "doble cobro en mi
tarjeta" and "charged twice!!" share no word but one subject. Each concept below names one
common complaint of the desk's brands (banks, telcos, airlines, delivery, retail, food) and
lists its facets (cues separated by `|`): every facet must fire for the concept to fire, so "la app no abre" needs an
app word AND a failure phrase, and "voy a cancelar" alone is no cancelled flight.

Cues are written folded (lower case, no accents, as `normalise` produces them) and are stemmed
with the ripple stemmer when the module is compiled, so one form per word is usually enough.
A cue of two words matches when the second follows the first within two words ("no me
abre" fires "no abre"). Spanish and English are always matched together, as in the other
lexicons: mixed comments are common.
"""

CONCEPTS: dict[str, tuple[str, ...]] = {
    "double_charge": (
        (
            "cobro|cobraron|cobrado|cobrar|cobran|cargo|cargaron|cargado|charge|charged|charging|"
            "billed|bill|debited|debito|descontaron|descuento|pago|pague|pagamos|paid|payment|"
            "transaccion|transaction"
        ),
        (
            "doble|double|dos veces|2 veces|duplicado|duplicada|duplicate|duplicated|twice|"
            "two times|2 times|repetido|repetida|dos cobros|dos cargos|dos pagos"
        ),
    ),
    "unauthorized_charge": (
        (
            "cargo|cobro|compra|compras|consumo|movimiento|transaccion|charge|charges|purchase|"
            "transaction|retiro|withdrawal"
        ),
        (
            "no reconozco|no reconocido|no reconocida|desconozco|no autorice|no autorizado|"
            "no autorizada|sin autorizacion|no hice|nunca hice|unauthorized|unauthorised|"
            "did not make|didnt make|not mine|never made|clonaron|clonada|clonado|cloned"
        ),
    ),
    "overcharge": (
        (
            "factura|recibo|tarifa|cuota|mensualidad|plan|precio|bill|invoice|fee|fees|price|rate|"
            "subscription|suscripcion"
        ),
        (
            "excesivo|excesiva|elevada|elevado|muy alta|muy alto|subieron|aumento|aumentaron|"
            "de mas|inflada|abusivo|abusiva|sin avisar|too high|overcharged|increase|increased|"
            "raised|hidden|escondido|extra"
        ),
    ),
    "refund_pending": (
        (
            "reembolso|reembolsen|reembolsar|refund|refunded|reimburse|reimbursement|reintegro|"
            "reintegren|money back|contracargo|chargeback|"
            # "devuelvan el logo anterior" is no refund: a return verb needs the money
            "devolucion dinero|devolucion plata|devolucion pago|devuelvan dinero|devuelvan plata|"
            "devuelvan pago|devuelvan lana|devuelvanme dinero|devuelvanme plata|devolver dinero|"
            "devolver plata|devuelven dinero|devuelven plata|dinero de vuelta|plata de vuelta"
        ),
    ),
    "payment_not_credited": (
        "transferencia|transfer|deposito|deposit|abono|giro|pago|payment|recarga|top up",
        (
            "no aparece|no se refleja|no reflejado|no llega|no ha llegado|no llego|no recibi|"
            "pendiente|not showing|not received|missing|pending|perdido|desaparecio|disappeared"
        ),
    ),
    "card_problem": (
        "tarjeta|tarjetas|card|cards|plastico",
        (
            "bloqueada|bloquearon|bloqueo|blocked|rechazada|rechazan|rechazo|declined|declinada|"
            "no pasa|no funciona|not working|retenida|frozen|congelada|no me llega|never arrived|"
            "vencida"
        ),
    ),
    "account_blocked": (
        "cuenta|account|usuario|perfil|profile|acceso|access|fondos|funds",
        (
            "bloqueada|bloquearon|bloqueado|blocked|suspendida|suspendieron|suspended|locked|"
            "banned|baneada|baneado|desactivada|disabled|hackearon|hackeada|hacked|congelada|"
            "frozen|cerraron|inhabilitada|inhabilitaron|inhabilitado|congelaron|congelado|"
            "denegado|denied|suspendido|restringida|restringido|restricted|bloqueo|cancelaron"
        ),
    ),
    "app_down": (
        (
            "app|apps|aplicacion|aplicativo|application|pagina|web|website|sitio|portal|"
            "banca en linea|online banking|plataforma|platform"
        ),
        (
            "no abre|no carga|no funciona|no sirve|no deja|no entra|no puedo entrar|se cae|"
            "se cayo|caida|caido|se cierra|se traba|trabada|pegada|congela|crash|crashea|crashes|"
            "crashing|not working|does not work|will not open|not open|not load|not loading|"
            "is down|went down|error|falla|fallando|freezes|iniciar sesion|inicio de sesion|"
            "log in|login|sign in|keeps closing|frozen|froze|freezing|logs me out|logs out|"
            "kicks me out|broken|dead|spins|spinning|not launch|launch|bricked|server error|"
            "crashed|se pega|no responde"
        ),
    ),
    "internet_down": (
        (
            "internet|senal|signal|wifi|conexion|connection|cobertura|coverage|datos moviles|"
            "mobile data|fibra|la red|network|4g|5g|llamadas|calls|router|modem|sin red|"
            "banda ancha|broadband"
        ),
        (
            "sin|no hay|no tengo|no tenemos|no funciona|no sirve|caido|caida|se cae|se cayo|down|"
            "lento|lenta|slow|outage|intermitente|cortado|corte|mala|falla|not working|no service|"
            "dead|dropped|dropping|cortan|no carga|nada carga|muerto|muerta|parpadea|se corta|"
            "se fue|cero|no anda|no conecta|sin servicio|no funcionan|keeps dropping"
        ),
    ),
    "power_outage": (
        "luz|electricidad|electricity|energia|power|corriente|apagon|apagones|blackout|oscuras",
        "sin|no hay|no tenemos|corte|cortaron|se fue|apagon|outage|out|cut|cuts|went out",
    ),
    "water_outage": (
        "agua|water",
        "sin|no hay|no tenemos|corte|cortaron|no llega|outage|out|cut",
    ),
    "late_delivery": (
        (
            "pedido|orden|order|paquete|package|parcel|envio|shipment|entrega|delivery|domicilio|"
            "encomienda|compra|comida|food|repartidor|shipping|pizza|hamburguesa|pedi|pedimos|"
            "ordered|driver|rider"
        ),
        (
            "no llega|no ha llegado|no llego|nunca llego|sin llegar|aun no llega|never arrived|"
            "never came|not arrived|has not arrived|not here|late|tarde|retraso|retrasado|"
            "retrasada|demora|demorado|demorada|delayed|delay|atrasado|atrasada|still waiting|"
            "esperando|waiting|perdido|perdieron|lost|extraviado|extraviaron|donde esta|"
            "where is|no aparece|en camino|on the way|se atraso|atraso|tarda|tardando|"
            "taking forever|never showed"
        ),
    ),
    "wrong_order": (
        "pedido|orden|order|paquete|package|compra|comida|food|bolsa",
        (
            "incompleto|incompleta|falta|faltaba|faltan|missing|wrong|equivocado|equivocada|"
            "incorrecto|otro producto|not what i ordered|me mandaron otro|sent the wrong"
        ),
    ),
    "bad_food": (
        (
            "comida|food|pizza|hamburguesa|burger|pollo|chicken|carne|meat|plato|dish|sandwich|"
            "ensalada|salad|leche|milk|yogurt"
        ),
        (
            "fria|frio|cold|cruda|crudo|raw|quemada|quemado|burnt|podrida|podrido|rotten|vencida|"
            "vencido|expired|caducada|caducado|mal estado|spoiled|mohosa|moldy|olor|smells|agria|"
            "sour"
        ),
    ),
    "food_poisoning": (
        (
            "intoxicacion|intoxicado|intoxicada|intoxicados|intoxicaron|poisoning|poisoned|"
            "diarrea|diarrhea|vomito|vomitando|vomiting|me enferme|nos enfermamos|got sick|"
            "salmonella"
        ),
    ),
    "foreign_object": (
        (
            "pelo|cabello|hair|cucaracha|cockroach|roach|insecto|insect|gusano|worm|gusanos|"
            "vidrio|glass|plastico en|mosca en|rata|rat|bicho"
        ),
        (
            "comida|food|pizza|hamburguesa|burger|plato|dish|sopa|soup|pollo|chicken|sandwich|"
            "ensalada|salad|bebida|drink|pedido|order|producto|product|lata|botella|bottle|yogurt|"
            "pan|bread"
        ),
    ),
    "flight_cancelled": (
        "vuelo|vuelos|flight|flights",
        "cancelaron|cancelado|cancelada|cancelacion|cancelled|canceled|cancel",
    ),
    "flight_delayed": (
        "vuelo|vuelos|flight|flights|avion|plane|salida|departure",
        (
            "retraso|retrasado|retrasada|demora|demorado|delayed|delay|atrasado|atrasada|"
            "horas esperando|hours waiting|stuck"
        ),
    ),
    "lost_luggage": (
        (
            "maleta|maletas|equipaje|valija|luggage|baggage|suitcase|bags|checked bag|my bag|"
            "carousel|cinta de equipaje"
        ),
    ),
    "overbooking": (
        (
            "overbooking|sobreventa|sobrevendido|overbooked|denied boarding|bumped|"
            "no me dejaron abordar|no me dejaron subir"
        ),
    ),
    "rude_staff": (
        (
            "empleado|empleada|empleados|personal|staff|cajero|cajera|asesor|asesora|agente|agent|"
            "mesero|mesera|waiter|waitress|guardia|vendedor|vendedora|operador|operadora|employee|"
            "chofer|driver|conductor|recepcionista|gerente|manager|cashier|tripulacion|crew"
        ),
        (
            "grosero|grosera|groseros|mal trato|maltrato|rude|trataron mal|trato|grito|gritaron|"
            "humillo|humillaron|irrespetuoso|prepotente|mala actitud|despota|yelled|disrespectful|"
            "insulto|racista|racist"
        ),
    ),
    "long_queue": (
        "fila|cola|queue|line|filas|turno|sucursal|branch",
        (
            "horas|hora|hours|hour|larga|larguisima|long|eterna|interminable|endless|parados|"
            "standing|una caja|one cashier"
        ),
    ),
    "unreachable_support": (
        (
            "call center|callcenter|telefono|phone|llamo|llame|llamar|llamada|call|calling|chat|"
            "whatsapp|hotline|linea|line"
        ),
        (
            "nadie contesta|nadie responde|no contestan|no responden|no atienden|en espera|"
            "on hold|cuelgan|colgaron|colgo|hung up|hang up|no answer|nobody answers|nobody picks|"
            "no one answers"
        ),
    ),
    "cannot_cancel": (
        "cancelar|dar de baja|darme de baja|la baja|anular|cancel|unsubscribe|cancellation",
        (
            "no puedo|no me dejan|no dejan|imposible|siguen cobrando|not let|can not|cant|"
            "still charging|keep charging|will not let"
        ),
    ),
    "product_defect": (
        (
            "producto|product|celular|telefono|phone|lavadora|nevera|refrigerador|televisor|tele|"
            "laptop|computadora|zapatos|shoes|ropa|camisa|item|articulo|cargador|charger|"
            "audifonos|headphones|mueble|juguete|toy"
        ),
        (
            "defectuoso|defectuosa|defective|roto|rota|broken|danado|danada|damaged|"
            "dejo de funcionar|stopped working|vino mal|arrived broken|se rompio|fell apart|"
            "se desarmo|no enciende|will not turn on|does not turn on|exploto|exploded"
        ),
    ),
    "dirty_room": (
        "habitacion|cuarto|room|bano|bathroom|sabanas|sheets|cama|bed",
        (
            "sucia|sucio|dirty|cucarachas|chinches|bed bugs|bedbugs|moho|mold|olor|smell|smelled|"
            "stains|manchas|filthy|asquerosa"
        ),
    ),
    "data_leak": (
        (
            "filtraron|filtracion|filtrados|leak|leaked|breach|datos personales|personal data|"
            "my data|mis datos"
        ),
    ),
}

#: Words that say something is wrong without saying what: shared by every complaint, so two
#: comments sharing only these are not the same complaint. Function words come from
#: `classifier.language`; these are the complaint-specific ones.
GENERIC_WORDS = frozenset(
    """
    servicio servicios service services pesimo pesima pesimos malo mala malos malas mal horrible
    horribles terrible terribles worst awful bad poor atencion cliente clientes customer
    customers support soporte ayuda help respuesta respuestas responden responde contestan
    contesta nadie nobody anyone someone alguien siempre nunca never always hoy ayer manana today
    yesterday tomorrow semana semanas week weeks dia dias day days hora horas hour hours minutos
    minutes mes meses month months ano anos year years vez veces time times otra otro again still
    todavia aun gracias thanks thank porfa please pls plz favor hola hello buenas urgente urgent
    problema problemas problem problems issue issues queja quejas complaint reclamo reclamos
    mierda shit fuck fucking fucked ladrones ladron thieves verguenza shame disgusting asco
    basura trash empresa empresas company compania banco bank tienda store gente people
    solucion solution solucionen arreglen fix caso case numero number ticket tienen hacen hacer
    hicieron hizo puedo puede pueden quiero want need necesito deja dejan sirve funciona mas
    more nada nothing todo todos everything cosa cosas thing things esto eso asi like just really
    muy tan que pasa pasando pasado happened happening wtf omg bro wey guey boludo jaja haha
    seriously serio enserio nunca jamas ever even ridiculo ridiculous increible unbelievable
    inaceptable unacceptable lamentable patetico pathetic joke broma estafa scam robo robbery
    sigo siguen sigue keep keeps llevo llevamos been dicen dijeron said says told
    esperar esperando wait waiting espero hope usuarios users cuenten cuenta account
    explicacion explanation dan dieron give gave contacto contact mensaje message mensajes
    messages dm privado inbox correo email mail whatsapp got get gets getting van va vamos voy
    fue estoy estamos tengo tenemos tiene hay ese esa esos esas aquel quien quienes cual cuales
    who whom whose which cada solo sola justo encima rato seguro tipo onda igual bien bueno
    buena ahora now aca alla alguien someone algo something mismo misma same one una uno dos
    two tres three
    """.split()
)
