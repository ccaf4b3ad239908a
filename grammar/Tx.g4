// The tx language: syntax only. No actions, no semantic predicates.
//
// Line breaks end statements, except inside (...) and [...]; the compiler's token filter
// (tx.compiler.syntax.NewlineFilter) drops NEWLINE tokens there before the parser sees them,
// as Python's tokenizer does. Everything else about meaning lives in the checker.
grammar Tx;

program
    : sep* (statement (sep+ statement)*)? sep* EOF
    ;

sep
    : NEWLINE
    | ';'
    ;

block
    : '{' sep* (statement (sep+ statement)*)? sep* '}'
    ;

statement
    : 'fn' NAME '(' (param (',' param)*)? ')' ('->' returnType)? block   # fnDef
    | 'for' forTarget (',' forTarget)* 'in' expr block                    # forEachStmt
    | 'return' (expr (',' expr)*)?                                        # returnStmt
    | 'with' (ns=NAME '.')? kind=('no_grad' | 'checkpoint' | NAME) ('(' (arg (',' arg)*)? ')')? block # withStmt
    | 'for' NAME 'in' 'range' '(' (arg (',' arg)*)? ')' block             # forStmt
    | 'while' expr block                                                  # whileStmt
    | 'break'                                                             # breakStmt
    | 'continue'                                                          # continueStmt
    | ifChain                                                             # ifStmt
    | 'check' lhs=expr ('within' tol=expr)?                               # checkStmt
    | 'assert' cond=expr (',' msg=expr)?                                  # assertStmt
    | 'global' NAME (',' NAME)*                                           # globalStmt
    | 'nonlocal' NAME (',' NAME)*                                         # nonlocalStmt
    | target (',' target)* unpack=','? '=' expr (',' expr)* ','?          # assign
    | open=('(' | '[') target (',' target)* unpack=','? (')' | ']') '=' expr (',' expr)* ','? # bracketAssign
    | target op=('+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '**=' | '&=' | '|=' | '^=') expr   # augAssign
    | indexTarget op=('=' | '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '**=' | '&=' | '|=' | '^=') expr # indexAssign
    | (open=('(' | '['))? anyTarget (',' anyTarget)+ unpack=','? (')' | ']')? '=' expr (',' expr)* ','? # multiAssign
    | expr                                                                # exprStmt
    ;

// A loop's name, or names in parentheses that unpack an item, as Python's `for t, (x, y) in ...`.
forTarget
    : NAME
    | '(' forTarget (',' forTarget)* ','? ')'
    ;

// `if c { } elif d { } else { }`: an elif is an if nested in the else, as Python reads it.
ifChain
    : 'if' expr block elseTail?
    ;

elseTail
    : 'elif' expr block elseTail?                                         # elifTail
    | 'else' (block | ifChain)                                            # elseBranch
    ;

// `x: [n, 3]`, or a Python scalar or a list, `lr: float`, `params: list`; with a default, `eps: float = 1e-5`;
// `*args` (its annotation, if any, is each item's, as in Python), the remaining positional arguments as a tuple;
// a bare `*`, after which parameters are keyword-only; `**kwargs`, the remaining keyword arguments as a dict.
param
    : NAME ':' (shapeType | kind=NAME) ('=' dflt=expr)?
    | star='*' NAME (':' kind=NAME)?
    | bare='*'
    | kwargs='**' NAME (':' kind=NAME)?
    ;

returnType
    : shapeType
    | '(' shapeType (',' shapeType)* ')'
    ;

shapeType
    : '[' (dim (',' dim)*)? ']'
    ;

dim
    : NUMBER
    | NAME
    ;

target
    : NAME ('.' NAME)?
    ;

// a target of several, `s[0], s[1] = f(x)`: an indexed name or a plain one
anyTarget
    : indexTarget
    | target
    ;

// `x[i] = v`, `x[0][1] += v`: an indexed name (a narrow rule, so that telling an expression
// statement from an assignment never needs more lookahead than the subscripts).
indexTarget
    : NAME ('[' subscript (',' subscript)* ']')+
    ;

// Precedence, tightest first, as Python's: postfix, **, unary - ~, * / // % @, + -, &, ^, |,
// comparisons, not, and, or, the conditional expression `a if c else b`.
expr
    : expr '(' (arg (',' arg)*)? ')'                           # call
    | expr '[' subscript (',' subscript)* ']'                  # index
    | expr '.' NAME                                            # attribute
    | <assoc = right> expr '**' expr                           # power
    | op=('-' | '~') expr                                      # unary
    | expr op=('*' | '/' | '//' | '%' | '@') expr              # multiplicative
    | expr op=('+' | '-') expr                                 # additive
    | expr op='&' expr                                         # bitwise
    | expr op='^' expr                                         # bitwise
    | expr op='|' expr                                         # bitwise
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr     # comparison
    | expr neg='not'? 'in' expr                                # membership
    | expr 'is' neg='not'? expr                                # isTest
    | 'not' expr                                               # not
    | expr 'and' expr                                          # and
    | expr 'or' expr                                           # or
    | <assoc = right> expr 'if' expr 'else' expr               # conditional
    | 'lambda' (lambdaParam (',' lambdaParam)*)? ':' expr      # lambda
    | NUMBER                                                   # number
    | (strings+=(STRING | FSTRING))+                           # string
    | kw=('true' | 'false' | 'True' | 'False')                 # boolean
    | 'None'                                                   # none
    | NAME                                                     # name
    | 'range' '(' (arg (',' arg)*)? ')'                        # rangeCall
    | '(' expr ')'                                             # paren
    | '(' (expr ',' (expr (',' expr)* ','?)?)? ')'            # tuple
    | '[' (expr (',' expr)* ','?)? ']'                         # list
    | '{' (dictEntry (',' dictEntry)* ','?)? '}'               # dict
    | '{' dictEntry 'for' forTarget (',' forTarget)* 'in' iter=expr ('if' cond=expr)? '}' # dictComp
    | '[' elem=expr compFor+ ']'                               # listComp
    | '(' elem=expr compFor+ ')'                               # genExpr
    ;

// `for x in xs if x > 0` in a list comprehension or a generator expression: Python's clauses, each
// `for` nested in the one before, each `if` filtering what the clauses before it give.
compFor
    : 'for' forTarget (',' forTarget)* 'in' iter=expr ('if' conds+=expr)*
    ;

// A lambda's parameter: `x`, `k=2` (its default, evaluated where the lambda is made), `*args`,
// a bare `*` (keyword-only parameters follow), `**kwargs`.
lambdaParam
    : star='*'? NAME ('=' dflt=expr)?
    | bare='*'
    | kwargs='**' NAME
    ;

// `'lr': 0.03` in a dict literal. A `{` opens a dict where an expression starts (after `=`, `(`, `,`,
// `:`, `return`, `in`, ...) and a block after a statement's head; the NewlineFilter tells them apart
// the same way, to drop line breaks inside a dict as inside brackets.
dictEntry
    : key=expr ':' value=expr
    ;

// `f(x, dim=1)`, and `f(*xs)`, which passes a list's or a tuple's items as positional arguments,
// and `f(**d)`, which passes a dict's items as keyword arguments.
arg
    : (NAME '=')? expr
    | star='*' expr
    | kwargs='**' expr
    | gen=expr compFor+
    ;

// The expression of an f-string field, `{expr}`: the AstBuilder parses each one on its own.
fieldExpr
    : expr EOF
    ;

subscript
    : lo=expr? ':' hi=expr? (':' step=expr?)?                  # slice
    | '...'                                                    # ellipsis
    | 'range' '(' arg (',' arg)* ')'                           # rangeIndex
    | fn=NAME '(' 'range' '(' arg (',' arg)* ')' ')'           # listRangeIndex
    | expr                                                     # single
    ;

NUMBER
    : DIGITS ('.' DIGITS?)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;

fragment DIGITS
    : [0-9]+
    ;

fragment EXPONENT
    : [eE] [+-]? DIGITS
    ;

// "..." or, as Python also writes it, '...'; triple-quoted, """...""" and '''...''', over several lines
// (a docstring). The lexer takes the longest match, so `"""a"""` is one string, not `""` `"a"` `""`.
STRING
    : '"""' ('\\' . | ~'\\')*? '"""'
    | '\'\'\'' ('\\' . | ~'\\')*? '\'\'\''
    | '"' (~["\\\r\n] | '\\' .)* '"'
    | '\'' (~['\\\r\n] | '\\' .)* '\''
    ;

// f"..." (also F"..."): the AstBuilder splits the body into text and {expr!conv:spec} fields.
FSTRING
    : [fF] '"' (~["\\\r\n] | '\\' .)* '"'
    | [fF] '\'' (~['\\\r\n] | '\\' .)* '\''
    ;

NAME
    : [A-Za-z_] [A-Za-z0-9_]*
    ;

NEWLINE
    : '\r'? '\n'
    ;

COMMENT
    : '#' ~[\r\n]* -> skip
    ;

WS
    : [ \t\f]+ -> skip
    ;

// Anything else becomes one token that no rule accepts, so the parser reports it in place.
UNKNOWN
    : .
    ;
